"""Fill a database with the national-scale data set (deterministic for a seed).

    DATABASE_URL=postgres://root@127.0.0.1:5432/outreach_national \\
        .venv/bin/python bench/generate_national.py [--seed 2024] [--max-tasks 500] \\
        [--reports 20000] [--responses 100000]

Migrates the database named by DATABASE_URL (default: the development SQLite file), then
adds 31 provinces with their prefectures and bureaus, the 101 TISCs, 80 university centres
and 88 network points, one campaign per province (20 to --max-tasks tasks, the largest
province's at --max-tasks), --reports progress reports spread over the campaigns, and a
baseline survey per province sharing --responses responses. Each province's coordinator
logs in as coord-<province code> with password bench-password. Refuses to run twice on
the same database.
"""
import argparse
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def generate(seed=2024, max_tasks=500, reports=20_000, responses=100_000, out=print):
    """Generate everything into the current database; returns the campaigns."""
    from bench.national import (
        PROVINCES,
        generate_campaign,
        generate_directory,
        generate_progress_reports,
        generate_responses,
        generate_survey,
    )

    rng = random.Random(seed)
    directory = generate_directory(seed)
    sizes = [max_tasks] + [rng.randint(20, max_tasks) for _ in PROVINCES[1:]]
    campaigns = []
    for (name, _), size in zip(PROVINCES, sizes, strict=True):
        province = directory[name]
        code = f"p{province['region'].pk}"
        campaigns.append(generate_campaign(province, size, seed=seed, code=f"national-{code}",
                                           coordinator_username=f"coord-{code}"))
    total_tasks = sum(sizes)
    out(f"{len(campaigns)} campaigns, {total_tasks} tasks")
    for i, (campaign, size) in enumerate(zip(campaigns, sizes, strict=True)):
        generate_progress_reports(campaign, reports * size // total_tasks, seed=seed + i)
    out(f"{reports} progress reports (about; split by campaign size)")
    per_survey = responses // len(campaigns)
    for i, ((name, _), campaign) in enumerate(zip(PROVINCES, campaigns, strict=True)):
        survey = generate_survey(campaign, seed=seed)
        generate_responses(survey, per_survey, seed=seed + i, units=directory[name]["bureaus"])
    out(f"{per_survey * len(campaigns)} survey responses")
    return campaigns


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--max-tasks", type=int, default=500)
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--responses", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from campaigns.models import Region

    call_command("migrate", verbosity=0, interactive=False)
    if Region.objects.filter(name="四川省").exists():
        raise SystemExit("这个数据库里已经有全国数据了（四川省已存在），未重复生成。")
    from django.db import transaction

    with transaction.atomic():
        generate(args.seed, args.max_tasks, args.reports, args.responses)
    return 0


if __name__ == "__main__":
    sys.exit(main())

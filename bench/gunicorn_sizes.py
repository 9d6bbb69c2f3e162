"""Every page and download of one big campaign through gunicorn (issue 17: "no request over
5 s through gunicorn at 5,000 tasks / 100k rows").

    .venv/bin/python bench/gunicorn_sizes.py [--tasks 5000] [--reports 100000] [--responses 100000]

Generates, in a throwaway database (bench/common.py; BENCH_DATABASE_URL for PostgreSQL,
an empty database), a campaign of `--tasks` tasks with `--reports` progress reports and a
survey with `--responses` responses, then starts gunicorn on it the production way (2 workers,
`--timeout 30`, DEBUG off, a job queue with no worker: a request that hands its work to
the queue answers at once with a redirect to the job page). Logs in over HTTP as the
coordinator and as a prefecture bureau's reporter and requests every page and download they
reach from the campaign, printing status, seconds and bytes of each; anything over 5 s or
any 5xx is flagged, and the exit status is 1 if there is one.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import machine, setup_django  # noqa: E402

LIMIT_SECONDS = 5.0
PASSWORD = "bench-password"


def generate(n_tasks, n_reports, n_responses, out=print):
    """The campaign, its reports and survey; returns what the requests need."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from bench.national import (
        generate_campaign,
        generate_directory,
        generate_progress_reports,
        generate_responses,
        generate_survey,
    )
    from campaigns.models import Membership

    started = time.perf_counter()
    directory = generate_directory()
    province = directory["青海省"] if "青海省" in directory else next(iter(directory.values()))
    campaign = generate_campaign(province, n_tasks, code="gunicorn-big", coordinator_username="coord")
    generate_progress_reports(campaign, n_reports)
    survey = generate_survey(campaign)
    generate_responses(survey, n_responses, units=province["bureaus"])
    bureau = province["bureaus"][0]
    users = get_user_model().objects
    reporter = users.create_user("bureau")
    Membership.objects.create(user=reporter, unit=bureau, role=Membership.Role.REPORTER)
    # The servers hash with the production hashers (the bench process uses MD5 for speed).
    hasher = PBKDF2PasswordHasher()
    users.filter(username__in=["coord", "bureau"]).update(password=hasher.encode(PASSWORD, hasher.salt()))
    out(f"generated {n_tasks} tasks, {n_reports} progress reports, {n_responses} survey responses "
        f"in {time.perf_counter() - started:.1f} s")
    return {"code": campaign.code, "survey": survey.pk, "task": 1}


def targets(seen):
    """(who, label, path) of every page and download reached from the campaign."""
    code, survey, task = seen["code"], seen["survey"], seen["task"]
    pages = [
        ("方案页 plan", f"/campaigns/{code}/"),
        ("任务详情 task detail", f"/campaigns/{code}/tasks/{task}/"),
        ("我的任务 my tasks", "/my/"),
        ("总结报告页 report page", f"/reports/{code}/"),
        ("总结报告 PDF", f"/reports/{code}/summary.pdf"),
        ("总结报告 DOCX", f"/reports/{code}/summary.docx"),
        ("数据附表 XLSX", f"/reports/{code}/annex.xlsx"),
        ("导出 进度报告 csv", f"/campaigns/{code}/export/reports.csv"),
        ("导出 进度报告 xlsx", f"/campaigns/{code}/export/reports.xlsx"),
        ("导出 分工 csv", f"/campaigns/{code}/export/assignments.csv"),
        ("导出 分工 xlsx", f"/campaigns/{code}/export/assignments.xlsx"),
    ]
    coordinator = [
        ("进度看板 dashboard", f"/campaigns/{code}/dashboard/"),
        ("任务列表 task list", f"/campaigns/{code}/tasks/"),
        ("导出 任务总表 csv", f"/campaigns/{code}/export/tasks.csv"),
        ("导出 任务总表 xlsx", f"/campaigns/{code}/export/tasks.xlsx"),
        ("问卷结果 survey results", f"/surveys/{survey}/results/"),
        ("问卷导出 survey export xlsx", f"/surveys/{survey}/export.xlsx"),
        ("问卷导出 survey export csv", f"/surveys/{survey}/export.csv"),
    ]
    bureau = [("单位待办 unit to-do", "/my/dashboard/")]
    return ([("coord", label, path) for label, path in pages + coordinator]
            + [("bureau", label, path) for label, path in pages + bureau])


def measure(server, seen, out=print):
    """Request every target as its user; returns [(who, label, status, seconds, bytes, note)]."""
    from tests.servers.cluster import Browser

    browsers = {}
    for who in ("coord", "bureau"):
        browsers[who] = Browser()
        answer = browsers[who].log_in(server, who, PASSWORD)
        if answer.status_code != 302:
            raise SystemExit(f"{who} could not log in ({answer.status_code})")
    rows = []
    out(f"{'user':<8}{'page':<32}{'status':>7}{'seconds':>9}{'bytes':>12}  note")
    for who, label, path in targets(seen):
        start = time.perf_counter()
        response = browsers[who].get(server, path)
        body = response.content  # the whole body, streamed ones included
        seconds = time.perf_counter() - start
        note = ""
        if response.status_code in (301, 302):
            note = f"→ {response.headers.get('Location', '')}"
        flags = []
        if seconds > LIMIT_SECONDS:
            flags.append("OVER 5 s")
        if response.status_code >= 500:
            flags.append("SERVER ERROR")
        rows.append((who, label, response.status_code, seconds, len(body), note, flags))
        out(f"{who:<8}{label:<32}{response.status_code:>7}{seconds:>9.2f}{len(body):>12}  "
            f"{' '.join(flags + [note]).strip()}")
    return rows


def run(n_tasks, n_reports, n_responses, out=print):
    from tests.servers import cluster

    url = setup_django()
    seen = generate(n_tasks, n_reports, n_responses, out=out)
    from django.db import connections

    connections.close_all()
    folder = Path(tempfile.mkdtemp(prefix="outreach-gunicorn-"))
    env = cluster.server_env(
        url, folder / "media", folder / "static",
        # No Redis and no worker: jobs wait in the database queue; the request's own time is measured.
        REDIS_URL="", TASKS_BACKEND="database", CACHE_BACKEND="django.core.cache.backends.locmem.LocMemCache",
        STATIC_MANIFEST="0",
    )
    server = cluster.Server("big", env, folder, workers=2)
    try:
        server.wait()
        out(f"gunicorn: 2 workers, --timeout 30, DEBUG off; database: "
            f"{'PostgreSQL' if url.startswith('postgres') else 'SQLite'}")
        rows = measure(server, seen, out=out)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        if not os.environ.get("BENCH_DATABASE_URL"):  # the SQLite folder setup_django made
            shutil.rmtree(Path(url[len("sqlite:///"):]).parent, ignore_errors=True)
    flagged = [r for r in rows if r[6]]
    out(f"slowest: {max(r[3] for r in rows):.2f} s; "
        + ("nothing over 5 s, no server error" if not flagged else f"{len(flagged)} flagged"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--responses", type=int, default=100_000)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    rows = run(args.tasks, args.reports, args.responses)
    return 1 if any(r[6] for r in rows) else 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.exit(main())

"""Access checks at national size (issue 17): what a page's access decisions cost a
coordinator and a unit in a campaign of ~160 assignments and one of 16,000+.

    .venv/bin/python bench/access_checks.py [--tasks 50,2600] [--repeat 50]

Generates one campaign per size (bench/national.py) and times, per simulated request (a
new user object, so the per-request caches start empty), the decisions a campaign page
asks: the campaign (get_campaign_for_user), can_coordinate / can_oversee, an assignment
read for writing, the units the user reports for (reporting_unit_ids) and a unit's report
page (get_reporting_unit_for_user). Target (issue 17): under 10 ms at 16,000 assignments.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import machine, ratio, setup_django  # noqa: E402

PROVINCES = ["青海省", "四川省"]


def build(sizes):
    from django.contrib.auth import get_user_model

    from bench.national import generate_campaign, generate_directory
    from campaigns.models import Assignment, Membership

    directory = generate_directory()
    built = {}
    for n_tasks, province in zip(sizes, PROVINCES, strict=False):
        campaign = generate_campaign(directory[province], n_tasks, coordinator_username=f"access-coord{n_tasks}")
        bureau = directory[province]["bureaus"][0]
        reporter = get_user_model().objects.create_user(f"access-bureau{n_tasks}", password="bench-password")
        Membership.objects.create(user=reporter, unit=bureau, role=Membership.Role.REPORTER)
        in_campaign = Assignment.objects.filter(task__campaign=campaign)
        built[n_tasks] = {
            "campaign": campaign,
            "coordinator": get_user_model().objects.get(username=f"access-coord{n_tasks}"),
            "reporter": reporter,
            "bureau": bureau,
            "own": in_campaign.filter(unit=bureau).order_by("-pk").first(),
            "any": in_campaign.order_by("-pk").first(),
            "assignments": in_campaign.count(),
        }
    return built


def fresh_user(world, who):
    """A new user object, as a request loads it: the per-request caches start empty."""
    user = world[who]
    user.__dict__.pop("_access_cache", None)
    user.__dict__.pop("_unit_roles_cache", None)
    return user


def one_request(world, who):
    """The access decisions of one page for `who` ("coordinator" or "reporter")."""
    from campaigns import access

    user = fresh_user(world, who)
    campaign = access.get_campaign_for_user(user, world["campaign"].code)
    access.can_coordinate(user, campaign)
    access.can_oversee(user, campaign)
    access.get_assignment_for_user(user, world["any" if who == "coordinator" else "own"].pk, write=True)
    access.reporting_unit_ids(user, campaign, write=True)
    access.get_reporting_unit_for_user(user, campaign, world["bureau"].pk)


def measure(world, who, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        one_request(world, who)
    with CaptureQueriesContext(connection) as ctx:
        one_request(world, who)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        one_request(world, who)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, len(ctx.captured_queries)


def baseline(world, repeat):
    """One SELECT of a campaign by primary key, for scale."""
    from campaigns.models import Campaign

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        Campaign.objects.get(pk=world["campaign"].pk)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def run(sizes, repeat=50, out=print):
    """Generate, measure and print; returns {(who, n_tasks): (ms, queries)} and the assignment counts."""
    built = build(sizes)
    small, large = sizes[0], sizes[-1]
    counts = {n: built[n]["assignments"] for n in sizes}
    out("assignments: " + ", ".join(f"{counts[n]} ({n} tasks)" for n in sizes) + f"; {repeat} requests each")
    out(f"baseline: one SELECT of a campaign by primary key {baseline(built[large], repeat):.2f} ms median")
    out(f"{'who':<14}" + "".join(f"{f'ms@{counts[n]}':>12}" for n in sizes)
        + "".join(f"{f'q@{counts[n]}':>9}" for n in sizes) + f"{'large/small':>13}  target")
    results = {}
    for who in ("coordinator", "reporter"):
        figures = {n: measure(built[n], who, repeat) for n in sizes}
        results.update({(who, n): figures[n] for n in sizes})
        big = figures[large][0]
        out(f"{who:<14}" + "".join(f"{figures[n][0]:>12.2f}" for n in sizes)
            + "".join(f"{figures[n][1]:>9}" for n in sizes)
            + f"{ratio(big, figures[small][0]):>13}  {'ok' if big < 10 else 'MISSED'} (<10 ms)")
    return results, counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default="50,2600", help="task counts, smallest first (2,600 tasks ≈ 16,000 assignments)")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.tasks.split(","))
    setup_django()
    from django.conf import settings

    print(f"machine: {machine()}")
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    run(sizes, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())

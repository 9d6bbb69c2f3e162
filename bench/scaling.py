"""Scaling benchmark (issue 17): the pages a person reads at 50, 500 and 5,000 tasks.

    .venv/bin/python bench/scaling.py [--sizes 50,500,5000] [--requests 15] [--reports-per-task 20]

Generates one campaign per size (bench/national.py: a province's divisions, bureaus and
institutions, 20 progress reports per task by default, so 1k / 10k / 100k reports) and
prints, per page (plan, dashboard, 我的任务, 单位待办, task list): the median time, the query count,
the HTML size, the ratio to the same page at the smallest size and to a bare Django view
measured in the same run. Target (issue 17): at 100× the tasks every page within 3× of its
small size and under 300 ms median.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import machine, ratio, setup_django  # noqa: E402

PROVINCES = ["青海省", "四川省", "广东省", "河南省", "重庆市"]
PAGES = [
    ("方案页 plan", lambda c: f"/campaigns/{c.code}/", "coordinator"),
    ("协调看板 dashboard", lambda c: f"/campaigns/{c.code}/dashboard/", "coordinator"),
    ("我的任务 my tasks", lambda c: "/my/", "bureau"),
    ("单位待办 unit to-do", lambda c: "/my/dashboard/", "bureau"),
    ("任务总表 task list", lambda c: f"/campaigns/{c.code}/tasks/", "coordinator"),
]


def measure(client, url, n):
    """(median ms, queries, bytes) of `n` GETs after three warm-up requests."""
    return measure_interleaved({None: (client, url)}, n)[None]


def measure_interleaved(targets, n):
    """{key: (median ms, queries, bytes)} of `n` GETs of each (client, url) in `targets`,
    after three warm-ups each, taken in turn (one request of each size, then the next round)
    so that a busy moment of a shared machine weighs on every size alike."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counted = {}
    for key, (client, url) in targets.items():
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as ctx:
            size = len(client.get(url).content)
        counted[key] = (len(ctx.captured_queries), size)
    times = {key: [] for key in targets}
    for _ in range(n):
        for key, (client, url) in targets.items():
            start = time.perf_counter()
            response = client.get(url)
            times[key].append(time.perf_counter() - start)
            assert response.status_code == 200, url
    return {key: (statistics.median(times[key]) * 1000, *counted[key]) for key in targets}


def build(sizes, reports_per_task=20, out=print):
    """One generated campaign per size, each in its own province; returns {size: (campaign,
    coordinator client, bureau client, assignments of that bureau)}."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.national import generate_campaign, generate_directory, generate_progress_reports
    from campaigns.models import Assignment, Membership

    directory = generate_directory()
    built = {}
    for size, province in zip(sizes, PROVINCES, strict=False):
        start = time.perf_counter()
        campaign = generate_campaign(directory[province], size, coordinator_username=f"scale-coord{size}")
        generate_progress_reports(campaign, size * reports_per_task)
        bureau = directory[province]["bureaus"][0]
        reporter = get_user_model().objects.create_user(f"scale-bureau{size}", password="bench-password")
        Membership.objects.create(user=reporter, unit=bureau, role=Membership.Role.REPORTER)
        coordinator, bureau_client = Client(), Client()
        coordinator.force_login(get_user_model().objects.get(username=f"scale-coord{size}"))
        bureau_client.force_login(reporter)
        mine = Assignment.objects.filter(unit=bureau, task__campaign=campaign).count()
        out(f"generated {size} tasks, {size * reports_per_task} reports ({mine} assignments for one bureau) "
            f"in {time.perf_counter() - start:.1f} s")
        built[size] = {"campaign": campaign, "coordinator": coordinator, "bureau": bureau_client}
    return built


def run(sizes, requests=15, reports_per_task=20, out=print):
    """Generate, measure and print; returns {page label: {size: (ms, queries, bytes)}} and the bare ms."""
    if len(sizes) > len(PROVINCES):
        raise ValueError(f"at most {len(PROVINCES)} sizes")
    built = build(sizes, reports_per_task, out)
    smallest, largest = sizes[0], sizes[-1]
    bare_ms, _, _ = measure(built[smallest]["coordinator"], "/bench/bare/", requests)
    out(f"baseline bare Django view: {bare_ms:.1f} ms median; {requests} requests per page and size, the sizes in turn")
    header = "".join(f"{f'ms@{s}':>10}" for s in sizes) + "".join(f"{f'q@{s}':>7}" for s in sizes)
    out(f"{'page':<22}{header}{f'KB@{largest}':>10}{f'{largest}/{smallest}':>11}{f'{largest}/bare':>11}  target")
    results = {}
    for label, url_for, who in PAGES:
        figures = measure_interleaved({s: (built[s][who], url_for(built[s]["campaign"])) for s in sizes}, requests)
        results[label] = figures
        big, small = figures[largest][0], figures[smallest][0]
        ok = big < 300 and big <= 3 * small
        out(f"{label:<22}" + "".join(f"{figures[s][0]:>10.1f}" for s in sizes)
            + "".join(f"{figures[s][1]:>7}" for s in sizes)
            + f"{figures[largest][2] / 1024:>10.0f}{ratio(big, small):>11}{ratio(big, bare_ms):>11}"
            + f"  {'ok' if ok else 'MISSED'}")
    return results, bare_ms


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,500,5000", help="task counts, smallest first (default 50,500,5000)")
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--reports-per-task", type=int, default=20)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    setup_django()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls_bench"
    print(f"machine: {machine()}")
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    run(sizes, args.requests, args.reports_per_task)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Page latency and query counts at 20 and 500 tasks, against a bare view in the same run.

    .venv/bin/python bench/pages.py [--requests 30]

Prints, per page: median latency (ms), queries, and ratios to the bare Django view and
to the same page at 20 tasks. Target (issue 8): under 300 ms median at 500 tasks, with a
query count that does not grow with the number of tasks.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import machine, ratio, setup_django  # noqa: E402


def measure(client, url, n):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    queries = len(ctx.captured_queries)  # read now: the next request resets the log
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, url
    return statistics.median(times) * 1000, queries


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.national import generate_campaign, generate_directory, generate_progress_reports
    from campaigns.models import Membership

    settings.ROOT_URLCONF = "bench.urls_bench"
    directory = generate_directory()
    sizes = {20: "青海省", 500: "四川省"}
    campaigns, clients = {}, {}
    for size, province in sizes.items():
        campaigns[size] = generate_campaign(directory[province], size, coordinator_username=f"coord{size}")
        generate_progress_reports(campaigns[size], size * 40)  # 20,000 at 500 tasks
        bureau = directory[province]["bureaus"][0]
        reporter = get_user_model().objects.create_user(f"bureau{size}", password="bench-password")
        Membership.objects.create(user=reporter, unit=bureau, role=Membership.Role.REPORTER)
        coordinator, unit_client = Client(), Client()
        coordinator.force_login(get_user_model().objects.get(username=f"coord{size}"))
        unit_client.force_login(reporter)
        clients[size] = (coordinator, unit_client)

    bare_ms, _ = measure(clients[20][0], "/bench/bare/", args.requests)
    pages = [
        ("方案页 plan", lambda c: f"/campaigns/{c.code}/", 0),
        ("任务总表 task list", lambda c: f"/campaigns/{c.code}/tasks/", 0),
        ("我的任务 my tasks", lambda c: "/my/", 1),
        ("协调看板 dashboard", lambda c: f"/campaigns/{c.code}/dashboard/", 0),
        ("单位待办 unit dashboard", lambda c: "/my/dashboard/", 1),
    ]
    print(f"machine: {machine()}")
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; {args.requests} requests per page")
    print(f"baseline bare Django view: {bare_ms:.1f} ms median")
    print(f"{'page':<24}{'ms@20':>9}{'ms@500':>9}{'q@20':>6}{'q@500':>7}{'500/20':>8}{'500/bare':>10}  target")
    failures = 0
    for label, url_for, who in pages:
        figures = {size: measure(clients[size][who], url_for(campaigns[size]), args.requests) for size in sizes}
        (ms20, q20), (ms500, q500) = figures[20], figures[500]
        ok = ms500 < 300 and q500 == q20
        failures += not ok
        print(f"{label:<24}{ms20:>9.1f}{ms500:>9.1f}{q20:>6}{q500:>7}{ratio(ms500, ms20):>8}{ratio(ms500, bare_ms):>10}"
              f"  {'ok' if ok else 'MISSED'}")
    return 1 if failures and "--strict" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())

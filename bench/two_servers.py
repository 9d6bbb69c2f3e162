"""Two app servers on one database and one Redis, as the README's production recipe sets
them up (tests/servers/cluster.py: migrate, collectstatic, check --deploy, gunicorn with 2
workers each, DEBUG off, Redis database 15 or TWO_SERVERS_REDIS_URL).

    .venv/bin/python bench/two_servers.py [--seconds 8] [--connections 8]

For each page, requests per second, median and 99th percentile latency and errors (anything
but 200) with the load on server A alone (the baseline) and spread over A and B in turn, as
a balancer would; the coordinator's session was made on A. Then the open-link rate limit
under concurrent load: one client sends twice its limit at once, alternately to A and B
(four workers in all), and exactly the limit must get through. The load comes from Python
processes on the same machine (no wrk needed); on a 2-core machine the servers and the
load share the cores, so two servers are not expected to double the rate here.
"""
import argparse
import http.client
import os
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import machine, ratio  # noqa: E402

LIMIT = 300


def _load(job):
    """One client process: GET `path` on the ports in turn until `deadline` (or `count`
    requests); returns [(status, milliseconds)]."""
    ports, path, headers, deadline, count, offset, fixed_ip = job
    results, i = [], offset
    while (time.time() < deadline) if count is None else (len(results) < count):
        port = ports[i % len(ports)]
        ip = fixed_ip or f"198.18.{(i // 250) % 250}.{i % 250 + 1}"
        start = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path, headers={**headers, "X-Forwarded-For": ip})
            response = connection.getresponse()
            response.read()
            status = response.status
            connection.close()
        except OSError:
            status = 0
        results.append((status, (time.perf_counter() - start) * 1000))
        i += 1
    return results


def run_load(ports, path, headers, seconds, connections):
    deadline = time.time() + seconds
    with Pool(connections) as pool:
        parts = pool.map(_load, [(ports, path, headers, deadline, None, c * 100_000, None)
                                 for c in range(connections)])
    results = [r for part in parts for r in part]
    latencies = sorted(ms for _, ms in results)
    return {
        "rps": len(results) / seconds,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": sum(1 for status, _ in results if status != 200),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    from tests.servers import cluster
    from tests.servers.seed import PASSWORD

    started = time.perf_counter()
    two = cluster.Cluster(servers=2, workers=2, SURVEY_OPEN_LINK_RATE=f"{LIMIT}/h")
    try:
        a, b = two.servers
        print(f"machine: {machine()}")
        print(f"set-up (database, migrate, collectstatic, check --deploy, seed, 2 × gunicorn): "
              f"{time.perf_counter() - started:.1f} s; database: {'PostgreSQL' if two.database.postgres else 'SQLite'}")
        browser = cluster.Browser()
        assert browser.log_in(a, "coord", PASSWORD).status_code == 302
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        code, token = two.seeded["campaign"], two.seeded["open_token"]
        proto = {"X-Forwarded-Proto": "https"}
        targets = [
            ("方案页 plan (session from A)", f"/campaigns/{code}/", {**proto, "Cookie": cookie}),
            ("公开问卷 open link", f"/surveys/o/{token}/", proto),
        ]
        print(f"{args.seconds} s per run, {args.connections} client processes, each request from its own address")
        print(f"{'page':<30}{'servers':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs A alone':>12}")
        failures = 0
        for label, path, headers in targets:
            alone = run_load([a.port], path, headers, args.seconds, args.connections)
            both = run_load([a.port, b.port], path, headers, args.seconds, args.connections)
            for name, r in (("A", alone), ("A+B", both)):
                failures += r["errors"] > 0
                print(f"{label:<30}{name:>9}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}"
                      f"{ratio(r['rps'], alone['rps']):>12}")

        # The rate limit under load: one client, twice the limit at once, alternately on A and B.
        path = f"/surveys/o/{token}/"
        with Pool(args.connections) as pool:
            parts = pool.map(_load, [([a.port, b.port], path, proto, None, 2 * LIMIT // args.connections, c,
                                      "203.0.113.99") for c in range(args.connections)])
        statuses = [status for part in parts for status, _ in part]
        allowed, refused = statuses.count(200), statuses.count(429)
        held = allowed == LIMIT and refused == len(statuses) - LIMIT
        print(f"open-link limit {LIMIT}/h, one client, {len(statuses)} concurrent requests on A and B: "
              f"{allowed} allowed, {refused} refused — {'held' if held else 'NOT HELD'}")
        failures += not held
    finally:
        two.close()
    print("errors: none" if not failures else f"errors on {failures} run(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.exit(main())

"""Load through gunicorn on loopback, driven by wrk: pages at 500 tasks against a bare view.

    .venv/bin/python bench/http_load.py [--seconds 8] [--connections 8]

Starts gunicorn (2 workers, this machine has 2 cores) on 127.0.0.1 with a throwaway
database, logs a coordinator and a bureau in, and runs wrk against the bare Django view
(the baseline) and against each page. Prints requests per second, median and 99th
percentile latency, and errors (socket errors and non-2xx answers), which must be 0.
Needs Debian's `wrk` (`apt-get install wrk`). Traffic stays on 127.0.0.1.
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import machine, ratio, setup_django  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(workers=2):
    """A gunicorn serving bench/wsgi_bench.py on a free loopback port; yields its base URL."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "bench.wsgi_bench:application", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--chdir", str(ROOT)],
        env=os.environ.copy(), stdout=log, stderr=log,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn did not start; see {log.name}")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def wrk(url, seconds=8, connections=8, cookie=None, script=None):
    """Run wrk; return requests/s, p50 and p99 latency (ms) and the error count."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout

    def latency(label):
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"rps": rps, "p50": latency("50"), "p99": latency("99"), "errors": errors}


def session_cookie(username):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk): skipped")
        return 0
    setup_django()
    from django.contrib.auth import get_user_model

    from bench.national import generate_campaign, generate_directory
    from campaigns.models import Membership

    directory = generate_directory()
    campaign = generate_campaign(directory["四川省"], 500, coordinator_username="coord")
    reporter = get_user_model().objects.create_user("bureau", password="bench-password")
    Membership.objects.create(user=reporter, unit=directory["四川省"]["bureaus"][0], role=Membership.Role.REPORTER)
    coordinator_cookie, bureau_cookie = session_cookie("coord"), session_cookie("bureau")

    print(f"machine: {machine()}")
    print(f"gunicorn 2 workers on loopback; wrk {args.connections} connections × {args.seconds}s per target")
    print(f"{'target':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs bare':>9}")
    failures = 0
    with gunicorn() as base:
        targets = [
            ("bare Django view (baseline)", "/bench/bare/", None),
            ("方案页 plan @500", f"/campaigns/{campaign.code}/", coordinator_cookie),
            ("任务总表 task list @500", f"/campaigns/{campaign.code}/tasks/", coordinator_cookie),
            ("我的任务 my tasks @500", "/my/", bureau_cookie),
        ]
        bare = None
        for label, path, cookie in targets:
            r = wrk(base + path, args.seconds, args.connections, cookie)
            bare = bare or r["rps"]
            failures += r["errors"] > 0
            print(f"{label:<28}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}{ratio(r['rps'], bare):>9}")
    print("errors: none" if not failures else f"errors on {failures} target(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

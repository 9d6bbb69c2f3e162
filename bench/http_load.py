"""Load through gunicorn on loopback, driven by wrk: pages at 500 tasks and survey submits,
each against a bare Django view through the same gunicorn.

    .venv/bin/python bench/http_load.py [--seconds 8] [--connections 8]

Starts gunicorn (2 workers, this machine has 2 cores) on 127.0.0.1 with a throwaway
database, logs a coordinator and a bureau in, and runs wrk against the bare Django view
(the baseline) and against each page; then POSTs complete baseline-questionnaire answers,
each to its own invitation link, against a bare view that parses the same JSON. Prints
requests per second, median and 99th percentile latency, and errors (socket errors and
non-2xx answers), which must be 0. Targets (issue 8): pages under 300 ms median; survey
submits at least half the bare view's rate.
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

# Shared by this process (which logs users in) and gunicorn (which reads their sessions).
BENCH_SECRET_KEY = "bench-only-secret-key-" + "k" * 40


def check_status(url, cookie=None):
    """Fail loudly unless one GET answers 200 (wrk counts a redirect to login as a success)."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        status = urllib.request.build_opener(NoRedirect).open(request, timeout=30).status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status != 200:
        raise SystemExit(f"{url} answered {status}, not 200: the benchmark would measure the wrong page")


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
        # Production settings, as the app would run behind a load balancer (TLS ends there).
        env=os.environ | {"DEBUG": "0", "SECRET_KEY": BENCH_SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1",
                          "SECURE_SSL_REDIRECT": "0", "STATIC_MANIFEST": "0"},
        stdout=log, stderr=log,
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


# wrk runs this once per thread; each thread takes every n-th token so no invitation is
# submitted twice (a second submit is refused, and would count as an error).
SUBMIT_LUA = """
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  tokens = {}
  for line in io.lines("%(tokens)s") do tokens[#tokens + 1] = line end
  nthreads = %(threads)d
  i = id
  body = io.open("%(body)s"):read("*a")
  headers = {["Content-Type"] = "application/json", ["Cookie"] = "csrftoken=%(csrf)s", ["X-CSRFToken"] = "%(csrf)s"}
end
function request()
  local path = "%(path)s"
  if path == "" then
    i = i + nthreads
    path = "/surveys/r/" .. tokens[(i %% #tokens) + 1] .. "/submit/"
  end
  return wrk.format("POST", path, headers, body)
end
"""
CSRF = "benchbenchbenchbenchbenchbench12"  # a fixed 32-character CSRF secret for cookie and header


def submit_script(folder, tokens, body, path=""):
    """A wrk Lua script POSTing `body` to each invitation's submit URL in turn (or to `path`)."""
    tokens_file, body_file, script = Path(folder, "tokens.txt"), Path(folder, "body.json"), Path(folder, "submit.lua")
    tokens_file.write_text("\n".join(tokens) + "\n")
    body_file.write_text(body, encoding="utf-8")
    script.write_text(SUBMIT_LUA % {"tokens": tokens_file, "body": body_file, "csrf": CSRF, "threads": 2, "path": path})
    return str(script)


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
    os.environ["SECRET_KEY"] = BENCH_SECRET_KEY
    setup_django()
    import json

    from django.contrib.auth import get_user_model

    from bench.national import (
        BASELINE_ANSWERS,
        generate_campaign,
        generate_directory,
        generate_progress_reports,
        generate_survey,
    )
    from campaigns.models import Membership

    directory = generate_directory()
    campaign = generate_campaign(directory["四川省"], 500, coordinator_username="coord")
    generate_progress_reports(campaign, 20_000)
    # Enough invitations that no run submits one twice (2 workers rarely pass ~300 submits/s).
    survey = generate_survey(campaign, n_invitations=args.seconds * 600)
    tokens = list(survey.invitations.values_list("token", flat=True))
    reporter = get_user_model().objects.create_user("bureau", password="bench-password")
    Membership.objects.create(user=reporter, unit=directory["四川省"]["bureaus"][0], role=Membership.Role.REPORTER)
    coordinator_cookie, bureau_cookie = session_cookie("coord"), session_cookie("bureau")

    print(f"machine: {machine()}")
    print(f"gunicorn 2 workers (DEBUG off) on loopback; wrk {args.seconds}s per target: pages with 2 connections "
          f"(one per worker), survey submits with {args.connections}")
    print(f"{'target':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs bare':>9}")
    failures = missed = 0
    with gunicorn() as base:
        targets = [
            ("bare Django view (baseline)", "/bench/bare/", None),
            ("方案页 plan @500", f"/campaigns/{campaign.code}/", coordinator_cookie),
            ("任务总表 task list @500", f"/campaigns/{campaign.code}/tasks/", coordinator_cookie),
            ("我的任务 my tasks @500", "/my/", bureau_cookie),
            ("协调看板 dashboard @500", f"/campaigns/{campaign.code}/dashboard/", coordinator_cookie),
            ("单位待办 unit dashboard @500", "/my/dashboard/", bureau_cookie),
        ]
        bare = None
        for label, path, cookie in targets:
            check_status(base + path, cookie)
            # Pages: as many connections as workers, so p50 is the time to serve one request.
            r = wrk(base + path, args.seconds, 2, cookie)
            bare = bare or r["rps"]
            failures += r["errors"] > 0
            ok = r["p50"] < 300 or path == "/bench/bare/"
            missed += not ok
            print(f"{label:<28}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}{ratio(r['rps'], bare):>9}"
                  f"  {'ok' if ok else 'MISSED (p50 ≥ 300 ms)'}")
        body = json.dumps({"answers": BASELINE_ANSWERS}, ensure_ascii=False)
        insert_path = f"/bench/bare-insert/{survey.pk}/{survey.current_version.pk}/"
        with tempfile.TemporaryDirectory() as folder:
            bare_post = wrk(base + "/bench/bare-post/", args.seconds, args.connections,
                            script=submit_script(folder, tokens, body, path="/bench/bare-post/"))
            bare_insert = wrk(base + "/", args.seconds, args.connections,
                              script=submit_script(folder, tokens, body, path=insert_path))
            submits = wrk(base + "/", args.seconds, args.connections, script=submit_script(folder, tokens, body))
        submitted = survey.responses.filter(status="submitted", invitation__isnull=False).count()
        for label, r in (("bare POST view (baseline)", bare_post), ("bare view + one INSERT", bare_insert),
                         ("问卷提交 survey submit", submits)):
            failures += r["errors"] > 0
            print(f"{label:<28}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}"
                  f"{ratio(r['rps'], bare_post['rps']):>9}")
        half = submits["rps"] >= bare_post["rps"] / 2
        missed += not half
        print(f"survey submits stored: {submitted} (one per invitation); rate vs bare POST view: "
              f"{ratio(submits['rps'], bare_post['rps'])}, vs bare view + INSERT: "
              f"{ratio(submits['rps'], bare_insert['rps'])}"
              f" — target ≥ 0.50× the bare view: {'ok' if half else 'MISSED'}")
    print("errors: none" if not failures else f"errors on {failures} target(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

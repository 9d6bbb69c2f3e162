"""Survey results and exports at 1k / 10k / 100k responses (issue 17).

    .venv/bin/python bench/survey_scaling.py [--sizes 1000,10000,100000] [--requests 10]

Generates the baseline questionnaire (fixtures/baseline_survey.json, 25 questions) once per
size with that many submitted responses from the province's bureaus (bench/national.py),
then prints:

- the results page in-process: median ms, query count, HTML size, ratio to the smallest
  size and to a bare Django view measured in the same run; with the figures in the cache
  (a page seen again); cold and counted in the request (cache emptied before each
  request: every answer counted by the database, as for a survey of up to
  SURVEY_RESULTS_INLINE_ROWS responses after a response arrives, and as the recount job
  does above that), for all units and filtered to one bureau; and cold above
  SURVEY_RESULTS_INLINE_ROWS (the recount queued, the last figures or "counting" shown).
  Target (issue 17): at 100× the responses within 3× and under 300 ms median;
- the csv and xlsx exports at the largest size as jobs: the export view answers with the
  job page (above EXPORT_QUEUE_ROWS), then the job runs in a fresh process
  (jobs.services.run, what the queue's worker calls) that prints its time and peak
  resident memory (VmHWM), beside a floor in the same kind of process: the answers read in
  chunks and written out as raw JSON lines. Target: flat memory (peak under 300 MB).

Set BENCH_DATABASE_URL to measure on PostgreSQL (bench/common.py).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import CHILD_SETUP, machine, peak_memory, ratio, setup_django  # noqa: E402

# Runs in a child process: one job (or the floor), then its own peak memory (KiB).
CHILD = CHILD_SETUP + """
start = time.perf_counter()
if {floor!r}:
    import json
    from surveys.models import Response
    with open({out!r}, "w", encoding="utf-8") as f:
        for answers in Response.objects.filter(survey_id={survey}).values_list("answers", flat=True).iterator(2000):
            f.write(json.dumps(answers, ensure_ascii=False) + "\\n")
else:
    from jobs.services import run
    assert run({job!r}) == "succeeded"
elapsed = time.perf_counter() - start
peak_kib = status("VmHWM:")
print(elapsed, peak_kib)
"""


# (label, query string, mode): the results page with its figures cached; cold and counted
# in the request (what the first view of a survey of up to SURVEY_RESULTS_INLINE_ROWS
# responses costs, and what the recount job costs above that); stale: a response arrived
# since the figures were counted, and the survey is above SURVEY_RESULTS_INLINE_ROWS (the
# page queues the recount and shows the last figures).
PAGES = [
    ("结果 results (cached)", "", "cached"),
    ("结果 results (cold, counted)", "", "counted"),
    ("一个单位 one unit (cold, counted)", "?unit={unit}", "counted"),
    ("结果 results (stale, queued)", "", "queued"),
]


def add_response(url):
    """One more submitted response to the survey of `url` (a copy of its first): the cached
    figures are then out of date, as when a bureau submits while someone reads the page."""
    from surveys.models import Response

    survey_id = int(url.split("/")[2])
    first = Response.objects.filter(survey_id=survey_id).order_by("pk").first()
    Response.objects.create(survey_id=survey_id, version_id=first.version_id, unit_id=first.unit_id,
                            answers=first.answers, status=Response.Status.SUBMITTED)


def measure(client, url, n, cold=False, stale=False):
    """(median ms, queries, bytes) of `n` GETs after one more (warm-up, queries counted). `cold`: the shared
    cache is emptied before each request, so every one counts the answers afresh (the first
    view after a response arrives); otherwise the figures come from the cache."""
    from django.core.cache import cache
    from django.db import connection

    queries = []
    if cold:
        cache.clear()
    else:
        assert client.get(url).status_code == 200, url  # warm-up: the figures into the cache
    if stale:
        add_response(url)
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        size = len(client.get(url).content)
    times = []
    for _ in range(n):
        if cold:
            cache.clear()
        if stale:
            add_response(url)
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, url
    return (statistics.median(times) * 1000 if times else 0), len(queries), size


def build(sizes, out=print):
    """One survey per size in one campaign; returns (coordinator client, {size: survey}, a bureau)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.national import generate_campaign, generate_directory, generate_responses, generate_survey
    from surveys import services

    directory = generate_directory()
    bureaus = directory["青海省"]["bureaus"]
    campaign = generate_campaign(directory["青海省"], 20, coordinator_username="survey-coord")
    client = Client()
    client.force_login(get_user_model().objects.get(username="survey-coord"))
    surveys = {}
    for size in sizes:
        start = time.perf_counter()
        survey = generate_survey(campaign)
        services.invite_units(survey, bureaus)
        generate_responses(survey, size, units=bureaus)
        surveys[size] = survey
        out(f"generated {size} responses in {time.perf_counter() - start:.1f} s")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does after such a load: statistics for the planner, and the
            # visibility map that lets the cache key's count be read from the index alone.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE surveys_response")
    return client, surveys, bureaus[0]


def run_export_job(client, survey, fmt, fresh_process=True, folder=None):
    """Start the export through its view (it must answer with the job page), then run the
    job; (seconds, peak MB, rows in the file)."""
    from django.urls import reverse

    from jobs.models import Job

    response = client.get(reverse("surveys:export", args=[survey.pk, fmt]))
    assert response.status_code == 302 and "/jobs/" in response["Location"], "the export did not become a job"
    job = Job.objects.filter(function="surveys.results.export_job").latest("created_at")
    if fresh_process:
        seconds, mb = run_child(job=str(job.pk), folder=folder)
    else:
        from jobs.services import run

        seconds, peak, outcome = peak_memory(lambda: run(job.pk))
        assert outcome == "succeeded"
        mb = peak / 2**20
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    return seconds, mb, job


def run_child(job=None, survey=None, folder=None):
    code = CHILD.format(root=str(ROOT), floor=job is None, survey=survey, job=job,
                        out=f"{folder or tempfile.gettempdir()}/floor.jsonl")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
    if result.returncode:
        raise SystemExit(result.stderr)
    seconds, kib = result.stdout.split()[-2:]
    return float(seconds), int(kib) / 1024


def run(sizes, requests=10, fresh_process=True, out=print, cold_requests=3):
    """Generate, measure and print. Returns ({page label: {size: (ms, queries, bytes)}}, bare ms,
    {fmt: (seconds, MB, job)})."""
    client, surveys, bureau = build(sizes, out)
    smallest, largest = sizes[0], sizes[-1]
    bare_ms, _, _ = measure(client, "/bench/bare/", requests)
    out(f"baseline bare Django view: {bare_ms:.1f} ms median; {requests} requests per page")
    pages = [(label, (lambda s, query=query: f"/surveys/{s.pk}/results/{query.format(unit=bureau.pk)}"), mode)
             for label, query, mode in PAGES]
    header = "".join(f"{f'ms@{s}':>10}" for s in sizes) + "".join(f"{f'q@{s}':>7}" for s in sizes)
    out(f"{'page':<34}{header}{f'KB@{largest}':>10}{f'{largest}/{smallest}':>11}{f'{largest}/bare':>11}  target")
    results = {}
    from django.conf import settings

    inline_rows = settings.SURVEY_RESULTS_INLINE_ROWS
    for label, url_for, mode in pages:
        figures = {}
        for s in sizes:
            url = url_for(surveys[s])
            # Every size counted once in the request (the warm-up); queued: then every one is too large.
            settings.SURVEY_RESULTS_INLINE_ROWS = sizes[-1] * 2
            if mode == "queued":
                measure(client, url, 0)
                settings.SURVEY_RESULTS_INLINE_ROWS = 0
            n = cold_requests if mode == "counted" else requests
            figures[s] = measure(client, url, n, cold=mode == "counted", stale=mode == "queued")
        settings.SURVEY_RESULTS_INLINE_ROWS = inline_rows
        results[label] = figures
        big, small = figures[largest][0], figures[smallest][0]
        ok = big < 300 and big <= 3 * small
        out(f"{label:<34}" + "".join(f"{figures[s][0]:>10.1f}" for s in sizes)
            + "".join(f"{figures[s][1]:>7}" for s in sizes)
            + f"{figures[largest][2] / 1024:>10.0f}{ratio(big, small):>11}{ratio(big, bare_ms):>11}"
            + f"  {'ok' if ok else 'MISSED'}")
    exports = {}
    memory = "VmHWM of a fresh process" if fresh_process else "tracemalloc peak, in-process"
    out(f"exports of {largest} responses as jobs ({memory}):")
    out(f"{'export':<34}{'seconds':>9}{'rows/s':>9}{'peak MB':>9}{'vs floor':>10}")
    with tempfile.TemporaryDirectory() as folder:
        if fresh_process:
            floor_s, floor_mb = run_child(survey=surveys[largest].pk, folder=folder)
            out(f"{'floor: raw JSON lines':<34}{floor_s:>9.1f}{largest / floor_s:>9.0f}{floor_mb:>9.0f}{'1.00×':>10}")
        else:
            floor_s = 0
        for fmt in ("csv", "xlsx"):
            seconds, mb, job = run_export_job(client, surveys[largest], fmt, fresh_process, folder)
            exports[fmt] = (seconds, mb, job)
            out(f"{f'job: export {fmt}':<34}{seconds:>9.1f}{largest / seconds:>9.0f}{mb:>9.0f}{ratio(seconds, floor_s):>10}"
                + f"  {'ok' if mb < 300 else 'MISSED'}")
    return results, bare_ms, exports


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="response counts, smallest first")
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory() as media:
        os.environ["MEDIA_ROOT"] = media  # job files go here, and are gone after the run
        setup_django()
        from django.conf import settings

        settings.ROOT_URLCONF = "bench.urls_bench"
        settings.EXPORT_QUEUE_ROWS = min(settings.EXPORT_QUEUE_ROWS, sizes[-1] - 1)
        print(f"machine: {machine()}")
        print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        run(sizes, args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())

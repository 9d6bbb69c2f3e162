"""Campaign exports at 10k / 100k progress reports (issue 17): seconds, rows/s and peak memory.

    .venv/bin/python bench/export_campaign.py [--reports 100000] [--tasks 500]

Generates two campaigns (bench/national.py) with a tenth of the reports and all of them,
then runs each export of the progress reports (进度报告, csv and xlsx) the way the queue
runs it: a Job row, then `jobs.services.run` in a fresh process, which reads the rows,
writes the file and stores it in the default storage (a temporary MEDIA_ROOT here). Each
child prints its seconds and its peak resident memory (VmHWM) beside its memory before the
export started. The floor, in the same run and also in a fresh process, is what any export
needs at least: the same report rows read with values() in chunks and written out as JSON
lines. Target (issue 17): the 100k-row exports complete as jobs in flat memory, i.e. the
peak at full size no more than 20 % (and 10 MB) above the peak at a tenth of it.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import CHILD_SETUP, machine, ratio, setup_django  # noqa: E402

# Runs in a child process: one export, then its time, memory before, peak memory (KiB) and file.
CHILD = CHILD_SETUP + """
if {floor!r}:
    import campaigns.models  # the same imports as the job, before the start figure
    import jobs.services
    start_kib = status("VmRSS:")
    start = time.perf_counter()
    import json
    from campaigns.models import ProgressReport
    rows = ProgressReport.objects.filter(assignment__task__campaign_id={campaign}).values(
        "assignment__task__number", "assignment__task__title", "assignment__unit__name", "created_at",
        "author__username", "status", "percent", "text", *ProgressReport.FIGURES)
    with open({out!r}, "w", encoding="utf-8") as f:
        for row in rows.iterator(chunk_size=2000):
            f.write(json.dumps(row, ensure_ascii=False, default=str) + "\\n")
    path = {out!r}
else:
    import campaigns.exporting
    from jobs.models import Job
    from jobs.services import run
    start_kib = status("VmRSS:")
    start = time.perf_counter()
    outcome = run({job!r})
    job = Job.objects.get(pk={job!r})
    if outcome != "succeeded":
        raise SystemExit(f"job {{outcome}}: {{job.error}}")
    path = job.result_file.path
elapsed = time.perf_counter() - start
print(elapsed, start_kib, status("VmHWM:"), path)
"""


def run_child(out, campaign_id=None, job_id=None, media=None):
    """(seconds, MB before the export, peak MB, file written) of one export in a fresh process."""
    code = CHILD.format(root=str(ROOT), floor=job_id is None, campaign=campaign_id, job=job_id, out=out)
    env = {**os.environ, "MEDIA_ROOT": media or tempfile.gettempdir()}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if result.returncode:
        raise SystemExit(result.stderr or result.stdout)
    seconds, start_kib, peak_kib, path = result.stdout.split()[-4:]
    return float(seconds), int(start_kib) / 1024, int(peak_kib) / 1024, path


def data_rows(path):
    """Rows in an export file, heading excluded (xlsx: the sheet's <row> elements, streamed)."""
    if path.endswith(".xlsx"):
        count, tail = 0, b""
        with zipfile.ZipFile(path) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
            while chunk := sheet.read(1 << 20):
                count += (tail + chunk).count(b"<row ")
                tail = chunk[-4:]
        return count - 1
    with open(path, "rb") as f:
        return sum(1 for _ in f) - (0 if path.endswith(".jsonl") else 1)


def generate(sizes, tasks, out=print):
    """A campaign per size with that many progress reports; returns {size: (campaign, coordinator)}."""
    from django.contrib.auth import get_user_model

    from bench.national import generate_campaign, generate_directory, generate_progress_reports

    directory = generate_directory()
    built = {}
    for size, province in zip(sizes, ("青海省", "四川省"), strict=True):
        start = time.perf_counter()
        campaign = generate_campaign(directory[province], tasks, code=f"export-{size}",
                                     coordinator_username=f"export-coord{size}")
        generate_progress_reports(campaign, size)
        out(f"generated {tasks} tasks, {size} progress reports in {time.perf_counter() - start:.1f} s")
        built[size] = (campaign, get_user_model().objects.get(username=f"export-coord{size}"))
    return built


def run(sizes, tasks=500, out=print):
    """Generate, export and print; returns {(label, size): (seconds, MB before, peak MB, rows)}."""
    from campaigns.exporting import EXPORTS
    from jobs.models import Job

    built = generate(sizes, tasks, out)
    out(f"{'export (fresh process)':<30}{'rows':>8}{'seconds':>9}{'rows/s':>9}{'MB before':>11}{'peak MB':>9}"
        f"{'vs floor':>10}")
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            campaign, coordinator = built[size]
            floor_s, before, peak, path = run_child(f"{folder}/floor.jsonl", campaign_id=campaign.pk)
            rows = data_rows(path)
            results[("floor", size)] = (floor_s, before, peak, rows)
            out(f"{'floor: values() as JSON lines':<30}{rows:>8}{floor_s:>9.1f}{rows / floor_s:>9.0f}{before:>11.0f}"
                f"{peak:>9.0f}{'1.00×':>10}")
            for fmt in ("csv", "xlsx"):
                job = Job.objects.create(title=f"导出{EXPORTS['reports'][0]}", owner=coordinator,
                                         function="campaigns.exporting.export_job",
                                         arguments={"code": campaign.code, "what": "reports", "fmt": fmt})
                seconds, before, peak, path = run_child(None, job_id=str(job.pk), media=folder)
                rows = data_rows(path)
                label = f"reports {fmt} (export_job)"
                results[(fmt, size)] = (seconds, before, peak, rows)
                out(f"{label:<30}{rows:>8}{seconds:>9.1f}{rows / seconds:>9.0f}{before:>11.0f}{peak:>9.0f}"
                    f"{ratio(seconds, floor_s):>10}")
    small, large = sizes[0], sizes[-1]
    for fmt in ("csv", "xlsx"):
        grown = results[(fmt, large)][2] - results[(fmt, small)][2]
        flat = grown <= max(10, 0.2 * results[(fmt, small)][2])
        complete = results[(fmt, large)][3] == large
        out(f"target ({fmt}: {large} rows written, peak {grown:+.0f} MB from {small} rows): "
            + ("ok" if flat and complete else "MISSED"))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=100_000, help="the full size (a tenth is run too)")
    parser.add_argument("--tasks", type=int, default=500, help="tasks of each generated campaign")
    args = parser.parse_args()
    url = setup_django()
    from django.conf import settings

    print(f"machine: {machine()}")
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    try:
        run([args.reports // 10, args.reports], args.tasks)
    finally:
        if not os.environ.get("BENCH_DATABASE_URL"):  # the throwaway SQLite of setup_django
            from django.db import connection

            connection.close()
            shutil.rmtree(Path(url.removeprefix("sqlite:///")).parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Exporting 100,000 survey responses: rows per second and peak memory, csv and xlsx.

    .venv/bin/python bench/export_responses.py [--responses 100000]

Generates the baseline questionnaire and its responses (bench/national.py) in a throwaway
database, then runs `manage.py export_responses` in a fresh process per format and size,
reading that process's peak resident memory (VmHWM). The baseline, in the same run, is
the floor any export needs: reading the answers column in chunks and writing it out as raw
JSON lines, nothing spread into columns. Exports at a tenth of the size show whether memory
stays flat. Target (issue 8): the full export with a peak under 300 MB.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import CHILD_SETUP, machine, ratio, setup_django  # noqa: E402

# Runs in a child process: one export, then its own peak memory (KiB on Linux).
CHILD = CHILD_SETUP + """
start = time.perf_counter()
if {floor!r}:
    import json
    from surveys.models import Response
    with open({out!r}, "w", encoding="utf-8") as f:
        for answers in Response.objects.filter(survey_id={survey}).values_list("answers", flat=True).iterator(2000):
            f.write(json.dumps(answers, ensure_ascii=False) + "\\n")
else:
    from django.core.management import call_command
    call_command("export_responses", "{survey}", format={fmt!r}, out={out!r}, stdout=open(os.devnull, "w"))
elapsed = time.perf_counter() - start
print(elapsed, status("VmHWM:"))
"""


def run_child(survey_id, fmt, out, floor=False):
    code = CHILD.format(root=str(ROOT), floor=floor, survey=survey_id, fmt=fmt, out=out)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
    if result.returncode:
        raise SystemExit(result.stderr)
    seconds, kib = result.stdout.split()[-2:]
    return float(seconds), int(kib) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    args = parser.parse_args()
    setup_django()
    from bench.national import generate_campaign, generate_directory, generate_responses, generate_survey

    directory = generate_directory()
    campaign = generate_campaign(directory["青海省"], 20)
    bureaus = directory["青海省"]["bureaus"]
    small_n = args.responses // 10
    surveys = {}
    start = time.perf_counter()
    for n in (small_n, args.responses):
        surveys[n] = generate_survey(campaign)
        generate_responses(surveys[n], n, units=bureaus)
    print(f"machine: {machine()}")
    print(f"generated {small_n + args.responses} responses in {time.perf_counter() - start:.1f} s")
    print(f"{'export':<34}{'rows':>8}{'seconds':>9}{'rows/s':>9}{'peak MB':>9}{'vs floor':>10}")
    missed = 0
    with tempfile.TemporaryDirectory() as folder:
        for n in (small_n, args.responses):
            floor_s, floor_mb = run_child(surveys[n].pk, "jsonl", f"{folder}/floor.jsonl", floor=True)
            print(f"{'floor: raw JSON lines':<34}{n:>8}{floor_s:>9.1f}{n / floor_s:>9.0f}{floor_mb:>9.0f}{'1.00×':>10}")
            for fmt in ("csv", "xlsx"):
                seconds, mb = run_child(surveys[n].pk, fmt, f"{folder}/export.{fmt}")
                label = f"export_responses --format {fmt}"
                print(f"{label:<34}{n:>8}{seconds:>9.1f}{n / seconds:>9.0f}{mb:>9.0f}{ratio(seconds, floor_s):>10}")
                if n == args.responses and mb >= 300:
                    missed += 1
    print("target (peak under 300 MB at full size): " + ("ok" if not missed else "MISSED"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

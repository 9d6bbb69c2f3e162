"""The campaign export benchmark runs at a tiny size, so it cannot rot between full runs.

It is run as `make bench` runs it (a script with its own throwaway SQLite database and a
fresh process per export), since its children must see the data it generates."""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_campaign_export_benchmark_runs_every_export_as_a_job_and_prints_its_memory():
    env = {k: v for k, v in os.environ.items() if k not in ("BENCH_DATABASE_URL", "DATABASE_URL", "MEDIA_ROOT")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "export_campaign.py"), "--reports", "300", "--tasks", "12"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "generated 12 tasks, 300 progress reports" in result.stdout
    figures = {}
    for line in lines:
        found = re.match(r"(floor: values\(\) as JSON lines|reports (?:csv|xlsx) \(export_job\))\s+(\d+)\s+"
                         r"([\d.]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)×$", line)
        if found:
            label, rows, _, _, before, peak, _ = found.groups()
            figures[(label, int(rows))] = (int(before), int(peak))
    labels = ["floor: values() as JSON lines", "reports csv (export_job)", "reports xlsx (export_job)"]
    # Every export at both sizes, each file holding every generated report.
    assert sorted(figures) == sorted((label, rows) for label in labels for rows in (30, 300))
    assert all(0 < before <= peak for before, peak in figures.values())
    assert [line.rsplit(" ", 1)[-1] for line in lines if line.startswith("target")] == ["ok", "ok"]

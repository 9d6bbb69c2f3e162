"""bench/gunicorn_sizes.py runs at a tiny size (its own database and gunicorn), so it cannot
rot between full runs; thresholds are lowered so the queued paths answer too."""
import os
import subprocess
import sys
from pathlib import Path

from bench import gunicorn_sizes

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_gunicorn_benchmark_requests_every_page_and_download_of_both_users():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BENCH_DATABASE_URL")}
    env.update(REPORT_QUEUE_TASKS="10", EXPORT_QUEUE_ROWS="100")
    result = subprocess.run(
        [sys.executable, "bench/gunicorn_sizes.py", "--tasks", "30", "--reports", "200", "--responses", "40"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "generated 30 tasks, 200 progress reports, 40 survey responses" in result.stdout
    expected = gunicorn_sizes.targets({"code": "gunicorn-big", "survey": 1, "task": 1})
    measured = [line for line in lines if line.startswith(("coord ", "bureau "))]
    assert len(measured) == len(expected)
    for (who, label, _), line in zip(expected, measured, strict=True):
        assert line.startswith(who) and label in line
        status = int(line[len(f"{who:<8}{label:<32}"):].split()[0])
        assert status in (200, 302), line
    # The coordinator's report covers 30 tasks, over the lowered threshold of 10: the report
    # downloads are answered with their job page.
    for line in measured:
        if line.startswith("coord") and ("总结报告 PDF" in line or "数据附表 XLSX" in line):
            assert " 302 " in line and "→ /jobs/" in line, line
    assert "nothing over 5 s, no server error" in result.stdout

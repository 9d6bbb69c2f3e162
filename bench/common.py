"""Shared set-up for benchmark scripts: Django against a throwaway database.

By default each script gets a fresh SQLite file in a temporary folder (migrated from
scratch); set BENCH_DATABASE_URL to measure against PostgreSQL instead (the database is
created by the script's caller and emptied of campaign data first).
"""
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# The start of a benchmark's child process (a fresh interpreter, so that its peak memory is
# its own): Django set up, and `status(key)` reading a figure of /proc/self/status in KiB.
# VmHWM is the peak resident memory (ru_maxrss would not do: Linux carries it over from the
# parent through fork and exec, and the parent holds the generated data). A str.format
# template: `root` is the project folder.
CHILD_SETUP = """
import os, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()

def status(key):
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(key))
"""


def setup_django(verbose=False):
    """Point Django at a throwaway database, migrate it, and return its URL."""
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        folder = tempfile.mkdtemp(prefix="outreach-bench-")
        url = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import warnings

    # WhiteNoise notes that collectstatic has not run; benchmarks serve no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Benchmarks measure the product, not password hashing of generated accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=1 if verbose else 0, interactive=False)
    return url


def machine():
    """One line saying what the figures were measured on."""
    import platform

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()} · {os.cpu_count()} cores · {cpu} · Python {platform.python_version()}"


def timed(fn, repeat=1):
    """Run fn `repeat` times; return (median seconds, last result)."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peak_memory(fn):
    """Run fn under tracemalloc; return (seconds, peak bytes of Python allocations, result)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = fn()
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return elapsed, peak, result


def ratio(value, baseline):
    return f"{value / baseline:.2f}×" if baseline else "n/a"

"""Benchmark: compile the final summary (collect + PDF + xlsx) for the Qinghai demo and for
a generated 500-task campaign, on a throwaway SQLite database.

    .venv/bin/python bench/report_compile.py [--tasks 500] [--repeat 3]

Prints the best of `repeat` runs for each, the query counts, and the ratio of the two times.
"""
import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="bench-report-")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("MEDIA_ROOT", f"{TMP}/media")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from campaigns.demo import load_demo  # noqa: E402
from campaigns.models import Assignment, Campaign, Section, Task, Unit  # noqa: E402
from reports.collect import collect  # noqa: E402
from reports.demo import load_demo_extras  # noqa: E402
from reports.docx import render_docx  # noqa: E402
from reports.models import TypicalCase, WrittenSummary  # noqa: E402
from reports.pdf import choose_font, render_pdf  # noqa: E402
from reports.xlsx import render_xlsx  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")


def generate(n_tasks, seed=2024):
    """A campaign of `n_tasks` tasks in 5 sections over the demo directory: each task led by
    one unit with two co-responsible units; about 60% verified (some late), summaries from
    most units and one case in five recommended."""
    rng = random.Random(seed)
    units = list(Unit.objects.all())
    coordinator = Unit.objects.get(name="省局知识产权公共服务处")
    campaign = Campaign.objects.create(
        code=f"bench-{n_tasks}", title=f"基准测试{n_tasks}项任务活动方案", document_number="基准〔2024〕1号",
        issuing_authority="青海省市场监督管理局", coordinating_unit=coordinator, starts_on=date(2024, 4, 1),
        ends_on=date(2024, 9, 30), summary_due=date(2024, 9, 30), status="active",
    )
    sections = [Section.objects.create(campaign=campaign, ordinal=i, title=f"重点活动安排{i}") for i in range(1, 6)]
    due = [date(2024, 5, 1) + timedelta(days=n % 140) for n in range(n_tasks + 1)]
    tasks = Task.objects.bulk_create([
        Task(campaign=campaign, section=sections[n % 5], number=n,
             title=f"第{n}项任务：面向园区企业开展知识产权信息服务与专利导航成果推广（批次{n % 17}）",
             deadline=due[n], original_deadline=due[n])
        for n in range(1, n_tasks + 1)
    ])
    assignments = []
    for task in tasks:
        for position, unit in enumerate(rng.sample(units, 3)):
            done = rng.random() < 0.6
            assignments.append(Assignment(
                task=task, unit=unit, role="lead" if position == 0 else "co", position=position,
                status="verified" if done else rng.choice(["not_started", "in_progress", "submitted"]),
                percent=100 if done else rng.randint(0, 90),
                completed_at=datetime(2024, 9, 1, tzinfo=TZ) if done else None,
                completed_late=done and rng.random() < 0.1,
            ))
    Assignment.objects.bulk_create(assignments)
    WrittenSummary.objects.bulk_create([
        WrittenSummary(campaign=campaign, unit=u, text="本单位认真落实活动方案，开展培训和服务。" * 20,
                       submitted_at=datetime(2024, 9, 28, tzinfo=TZ), first_submitted_at=datetime(2024, 9, 28, tzinfo=TZ))
        for u in units if rng.random() < 0.8
    ])
    TypicalCase.objects.bulk_create([
        TypicalCase(campaign=campaign, unit=u, title=f"{u.name}典型案例", institution=u.name, institution_type="other",
                    summary="简介。" * 30, actions="做法。" * 60, results="服务企业12家、培训300人次。" * 5,
                    recommended=i % 5 == 0)
        for i, u in enumerate(units)
    ])
    return campaign


def compile_once(campaign):
    """(pdf bytes, seconds for PDF, seconds for .docx) of one compile."""
    data = collect(campaign)
    start = time.perf_counter()
    pdf = render_pdf(data)
    t_pdf = time.perf_counter() - start
    start = time.perf_counter()
    render_docx(data)
    t_docx = time.perf_counter() - start
    render_xlsx(data)
    return pdf, t_pdf, t_docx


def measure(campaign, repeat):
    compile_once(campaign)  # warm-up: font loading and registration
    best = best_pdf = best_docx = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            pdf, t_pdf, t_docx = compile_once(campaign)
        best = min(best, time.perf_counter() - start)
        best_pdf, best_docx = min(best_pdf, t_pdf), min(best_docx, t_docx)
    print(f"    PDF {best_pdf:.3f} s, .docx {best_docx:.3f} s")
    return best, len(ctx.captured_queries), len(pdf)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    demo, _ = load_demo()
    load_demo_extras(demo)
    big = generate(args.tasks)
    print(f"font: {choose_font().name} ({choose_font().path or 'built-in CID'}); throwaway SQLite database under {TMP}")
    t_demo, q_demo, size_demo = measure(demo, args.repeat)
    n_demo = demo.tasks.count()
    print(f"demo     {n_demo:>4} tasks: {t_demo:7.3f} s  {q_demo} queries  PDF {size_demo / 1024:.0f} KiB")
    t_big, q_big, size_big = measure(big, args.repeat)
    print(f"generated {args.tasks:>3} tasks: {t_big:7.3f} s  {q_big} queries  PDF {size_big / 1024:.0f} KiB")
    print(f"ratio: {t_big / t_demo:.1f}x the time for {args.tasks / n_demo:.1f}x the tasks "
          f"({t_demo / n_demo * 1000:.1f} ms/task vs {t_big / args.tasks * 1000:.1f} ms/task)")


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        shutil.rmtree(TMP, ignore_errors=True)

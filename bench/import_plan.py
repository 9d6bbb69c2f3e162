"""Benchmark: importing a generated 20,000-row plan (xlsx) against bulk_create of the same rows,
and reading a generated 2,000-task notice (running text) beside reading the same rows from xlsx.

    .venv/bin/python bench/import_plan.py [--rows 20000] [--notice-tasks 2000] [--notice-only]

Sets Django up by itself against a throwaway SQLite database (the demo directory loaded),
generates the spreadsheet, then measures in the same run:
- import: read and check the file, resolve every row, preview, commit (a new campaign);
- bulk_create: writing the same sections, tasks and assignments with bulk_create alone
  (units resolved beforehand, no history rows);
- notice: the structural reader on a generated published-style plan (numbered sections and
  tasks, parties in several grammars, time limits, hard-wrapped lines, page numbers) read
  and previewed, beside the same tasks read and previewed from an xlsx sheet.
Time is measured on a run without tracemalloc; peak memory (tracemalloc) on a second run,
so the tracing does not distort the times.
"""

import argparse
import io
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNIT_CELLS = [
    "省局知识产权公共服务处",
    "西宁市市场监管局",
    "省局知识产权公共服务处，各市州市场监管局",
    "省局知识产权保护处，西宁市市场监管局、西宁市教育局",
    "青海大学——国家知识产权信息公共服务网点",
    "青海之也科技咨询有限公司 TISC",
    "省局知识产权运用促进处，青海大学、青海民族大学",
    "海西州市场监管局",
    "各市州市场监管局，省局知识产权公共服务处、商标品牌处，各知识产权信息公共服务机构",
    "青海省青藏知识产权服务中心 TISC",
]
SECTIONS = [
    "活动启动",
    "基础能力提升",
    "结对帮扶",
    "入园惠企",
    "宣传推广",
    "调查研究",
    "培训交流",
    "平台建设",
    "人才培养",
    "总结评估",
]


def setup_django(tmp):
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from campaigns.demo import load_demo

    load_demo()


def generate_xlsx(n):
    from openpyxl import Workbook

    from campaigns.models import chinese_ordinal

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("计划")
    sheet.append(["活动安排", "编号", "任务", "责任单位", "完成时限", "备注"])
    start = date(2024, 4, 1)
    for i in range(1, n + 1):
        s = (i - 1) * len(SECTIONS) // n
        deadline = start + timedelta(days=i % 180)
        sheet.append(
            [
                f"（{chinese_ordinal(s + 1)}）{SECTIONS[s]}",
                i,
                f"第{i}项：面向市州开展知识产权公共服务活动（编号{i:05d}）",
                UNIT_CELLS[i % len(UNIT_CELLS)],
                f"{deadline.year}年{deadline.month}月{deadline.day}日",
                "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


NOTICE_PARTIES = [
    "（省局知识产权公共服务处）",
    "（省局知识产权公共服务处牵头，各市州市场监管局配合）",
    "（牵头单位：省局知识产权保护处；配合单位：西宁市市场监管局、西宁市教育局）",
    "（青海大学——国家知识产权信息公共服务网点，2024年6月底前）",
    "（省局知识产权运用促进处、青海大学、青海民族大学按职责分工负责）",
    "（海西州市场监管局，持续推进）",
    "（青海省青藏知识产权服务中心 TISC）",
]


def generate_notice(n):
    """(text, xlsx bytes) of a published-style plan with `n` tasks, and the same rows as a sheet."""
    from openpyxl import Workbook

    from campaigns.models import chinese_ordinal

    lines = ["2024年青海省知识产权公共服务专项行动方案", "", "一、工作目标", "全面提升知识产权公共服务水平。"]
    lines.append("二、重点任务")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("计划")
    sheet.append(["活动安排", "编号", "任务", "责任单位", "完成时限", "备注"])
    page = 1
    for i in range(1, n + 1):
        s = (i - 1) * len(SECTIONS) // n
        if i == 1 or (i - 2) * len(SECTIONS) // n != s:
            lines.append(f"（{chinese_ordinal(s + 1)}）{SECTIONS[s]}")
        parties = NOTICE_PARTIES[i % len(NOTICE_PARTIES)]
        task = f"{i}.面向市州开展知识产权公共服务活动，组织专题培训和咨询服务（编号{i:05d}）。{parties}"
        lines.extend(task[k : k + 30] for k in range(0, len(task), 30))  # hard-wrapped at 30 characters
        if i % 12 == 0:
            page += 1
            lines.append(f"— {page} —")
        deadline = "2024年6月底前" if "6月底前" in parties else ""
        units = parties.strip("（）").replace("，2024年6月底前", "").replace("，持续推进", "")
        title = f"面向市州开展知识产权公共服务活动，组织专题培训和咨询服务（编号{i:05d}）"
        sheet.append([f"（{chinese_ordinal(s + 1)}）{SECTIONS[s]}", i, title, units, deadline, ""])
    lines += ["三、保障措施", "（一）加强组织领导。各单位要高度重视。"]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return "\n".join(lines), buffer.getvalue()


def read_and_preview(filename, data, expected):
    from campaigns import importing

    start = time.perf_counter()
    source = importing.read_plan_file(filename, data)
    preview = importing.build_preview(source, None, new_code="bench-notice", year=2024)
    elapsed = time.perf_counter() - start
    assert len(preview.rows) == expected and not preview.has_errors, preview.errors[:5]
    return elapsed


def bench_notice(n):
    text, sheet = generate_notice(n)
    data = text.encode("utf-8")
    print(f"生成的方案原文：{n} 项任务，{len(data) / 1024:.0f} KB（按 30 字断行，含页码行）")
    print(f"同样的行另存为 xlsx：{len(sheet) / 1024:.0f} KB")
    t_notice = read_and_preview("bench.txt", data, n)
    t_xlsx = read_and_preview("bench.xlsx", sheet, n)
    print(f"{'读取并预览':<28}{'时间 (s)':>10}")
    print(f"{'方案原文（结构化读取）':<28}{t_notice:>10.2f}")
    print(f"{'同样的行（xlsx）':<28}{t_xlsx:>10.2f}")
    print(f"{'原文 / xlsx':<28}{t_notice / t_xlsx:>10.1f}x")


def run_import(data, code):
    from campaigns import importing

    source = importing.read_plan_file("bench.xlsx", data)
    preview = importing.build_preview(source, None, new_code=code)
    assert not preview.has_errors, preview.errors[:5]
    campaign = importing.commit_preview(preview)
    return campaign


def prepare_bulk(data):
    """The rows as plain values with their units resolved (outside the measured part)."""
    from campaigns import importing
    from campaigns.directory import Directory, assignments_from_entries

    directory = Directory()
    source = importing.read_plan_file("bench.xlsx", data)
    rows = []
    for r in source.rows:
        ordinal, title = importing.parse_section(r.section)
        units = assignments_from_entries(directory.resolve(r.units))
        rows.append((ordinal, title, int(r.number), r.title, importing.parse_deadline(r.deadline, 2024), units))
    return rows


def run_bulk(rows, code):
    from django.db import transaction

    from campaigns.importing import default_coordinating_unit
    from campaigns.models import Assignment, Campaign, Section, Task

    with transaction.atomic():
        campaign = Campaign.objects.create(
            code=code,
            title=code,
            coordinating_unit=default_coordinating_unit(),
            starts_on=date(2024, 1, 1),
            ends_on=date(2024, 12, 31),
            summary_due=date(2024, 12, 31),
        )
        sections = {}
        for ordinal, title, *_ in rows:
            if ordinal not in sections:
                sections[ordinal] = Section(campaign=campaign, ordinal=ordinal, title=title)
        Section.objects.bulk_create(sections.values())
        sections = {s.ordinal: s for s in Section.objects.filter(campaign=campaign)}
        tasks = Task.objects.bulk_create(
            [
                Task(campaign=campaign, section=sections[o], number=n, title=t, deadline=d, original_deadline=d)
                for o, _, n, t, d, _ in rows
            ],
            batch_size=500,
        )
        Assignment.objects.bulk_create(
            [
                Assignment(task=task, unit=unit, role=role, via_group=group, position=position)
                for task, row in zip(tasks, rows, strict=True)
                for unit, role, group, position in row[5]
            ],
            batch_size=500,
        )
    return campaign


def measure(label, fn):
    start = time.perf_counter()
    fn(label + "-timed")
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    fn(label + "-traced")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--notice-tasks", type=int, default=2_000)
    parser.add_argument("--notice-only", action="store_true", help="只比较方案原文与 xlsx 的读取")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        setup_django(Path(tmp))
        from campaigns.models import Assignment, Task

        bench_notice(args.notice_tasks)
        if args.notice_only:
            return

        data = generate_xlsx(args.rows)
        print(f"生成的计划：{args.rows} 行，xlsx {len(data) / 1024:.0f} KB；数据库：临时 SQLite")
        rows = prepare_bulk(data)
        results = {
            "导入（读取+校验+预览+提交）": measure("bench-import", lambda code: run_import(data, code)),
            "bulk_create（同样的行）": measure("bench-bulk", lambda code: run_bulk(rows, code)),
        }
        tasks = Task.objects.filter(campaign__code="bench-import-timed").count()
        assignments = Assignment.objects.filter(task__campaign__code="bench-import-timed").count()
        assert tasks == args.rows, tasks
        assert Assignment.objects.filter(task__campaign__code="bench-bulk-timed").count() == assignments
        print(f"写入：{tasks} 项任务，{assignments} 条任务分工（导入另写同样数量的变更记录）")
        print(f"{'':<28}{'时间 (s)':>10}{'峰值内存 (MB)':>16}")
        for label, (elapsed, peak) in results.items():
            print(f"{label:<28}{elapsed:>10.2f}{peak / 1024 / 1024:>16.1f}")
        (t_import, m_import), (t_bulk, m_bulk) = results.values()
        print(f"{'导入 / bulk_create':<28}{t_import / t_bulk:>10.1f}x{m_import / m_bulk:>15.1f}x")


if __name__ == "__main__":
    main()

"""One formula guard for every export: tasks and progress exports, survey responses (headings
included) and the report's annex, half-width and full-width signs alike."""

import csv
import io

import openpyxl
from django.urls import reverse

from campaigns.formulas import csv_text, csv_unescape, looks_like_formula
from reports.xlsx import render_xlsx
from tests.reports.test_pdf import _full_data

FULL_WIDTH = ["＝1+1", "＋cmd|'/C calc'!A0", "－2+3", "＠SUM(A1)"]


def test_full_width_signs_look_like_formulas_and_plain_text_does_not():
    assert all(looks_like_formula(v) for v in FULL_WIDTH + ["=1", "+1", "-1", "@A1", "\t1", "\r1"])
    assert not any(looks_like_formula(v) for v in ["西宁市", "1+1", " =1", "", None, 12])


def test_csv_guard_round_trips_through_the_importers_unescape():
    for value in FULL_WIDTH + ["=1+1", "'plain", "西宁"]:
        assert csv_unescape(csv_text(value)) == value


def test_task_csv_export_quotes_full_width_formulas(demo, login, django_user_model):
    for number, title in enumerate(FULL_WIDTH, start=1):
        demo.tasks.filter(number=number).update(title=title)
    client = login(django_user_model.objects.get(username="province"))
    response = client.get(reverse("campaigns:export", args=[demo.code, "tasks", "csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    titles = [row[2] for row in list(csv.reader(io.StringIO(body)))[1: 1 + len(FULL_WIDTH)]]
    assert titles == ["'" + t for t in FULL_WIDTH]


def test_task_xlsx_export_quote_prefixes_formula_cells(demo, login, django_user_model):
    demo.tasks.filter(number=1).update(title="＝1+1")
    demo.tasks.filter(number=2).update(title="=1+1")
    client = login(django_user_model.objects.get(username="province"))
    response = client.get(reverse("campaigns:export", args=[demo.code, "tasks", "xlsx"]))
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    column = [c.value for c in ws[1]].index("任务") + 1
    first, second, third = (ws.cell(row=r, column=column) for r in (2, 3, 4))
    assert (first.value, first.data_type, first.quotePrefix) == ("＝1+1", "s", True)
    assert (second.value, second.data_type, second.quotePrefix) == ("=1+1", "s", True)
    assert third.quotePrefix is False  # plain titles are left alone


def test_report_annex_quote_prefixes_formulas_half_and_full_width(tmp_path):
    data = _full_data()
    data.sections[0].rows[0].title = "=HYPERLINK(\"http://evil.invalid\")"
    data.sections[0].rows[1].title = "＝1+1"
    out = tmp_path / "annex.xlsx"
    out.write_bytes(render_xlsx(data))
    ws = openpyxl.load_workbook(out).worksheets[1]
    for cell in (ws["B2"], ws["B3"]):
        assert cell.data_type == "s" and cell.quotePrefix, cell.value
    assert ws["B3"].value == "＝1+1"

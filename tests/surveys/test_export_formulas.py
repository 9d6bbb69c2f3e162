"""Survey exports go through the one formula guard (campaigns.formulas): question titles
become headings, and a heading is user text like any answer."""

import csv
import io

import openpyxl
from django.urls import reverse

from surveys import services

from .conftest import GOOD_ANSWERS, SIMPLE_SCHEMA


def _survey_with_formula_title(survey_world):
    schema = {"pages": [{"name": "p1", "elements": [
        dict(SIMPLE_SCHEMA["pages"][0]["elements"][0], title='=HYPERLINK("http://evil.invalid","点此")'),
        {"type": "comment", "name": "note", "title": "＝说明"},
    ]}]}
    survey = services.create_survey(survey_world.campaign, "公式问卷", schema, task=survey_world.task, status="open")
    services.submit_response(survey, {"staff": 3, "note": GOOD_ANSWERS["note"]})
    return survey


def test_survey_xlsx_export_writes_question_titles_and_answers_as_text(login, survey_world):
    survey = _survey_with_formula_title(survey_world)
    response = login(survey_world.coordinator).get(reverse("surveys:export", args=[survey.pk, "xlsx"]))
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = {c.value: c for c in ws[1]}
    # Headings carry the question's number, and are written as text cells whatever follows it.
    heading = header['1. =HYPERLINK("http://evil.invalid","点此")']
    assert heading.data_type == "s" and header["2. ＝说明"].data_type == "s"
    answer = ws.cell(row=2, column=heading.column + 1)
    assert answer.value == "=cmd|' /C calc'!A0" and answer.data_type == "s" and answer.quotePrefix


def test_survey_csv_export_quotes_headings_and_answers(login, survey_world):
    survey = _survey_with_formula_title(survey_world)
    response = login(survey_world.coordinator).get(reverse("surveys:export", args=[survey.pk, "csv"]))
    header, row = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert header[4:] == ["1. =HYPERLINK(\"http://evil.invalid\",\"点此\")", "2. ＝说明"]
    assert row[5] == "'=cmd|' /C calc'!A0"


def test_survey_xlsx_export_keeps_error_like_text_as_text_and_drops_characters_xlsx_cannot_hold(login, survey_world):
    schema = {"pages": [{"name": "p1", "elements": [{"type": "comment", "name": "note", "title": "说明"}]}]}
    survey = services.create_survey(survey_world.campaign, "特殊文字", schema, task=survey_world.task, status="open")
    services.submit_response(survey, {"note": "#N/A"})
    services.submit_response(survey, {"note": "响铃\x07字符"})
    response = login(survey_world.coordinator).get(reverse("surveys:export", args=[survey.pk, "xlsx"]))
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    column = next(c.column for c in ws[1] if c.value == "1. 说明")
    cells = [ws.cell(row=r, column=column) for r in (2, 3)]
    assert sorted(c.value for c in cells) == ["#N/A", "响铃字符"]
    assert all(c.data_type == "s" for c in cells)  # "#N/A" is the text, not Excel's error value

"""The office and the respondents: prefilled units, resuming where one stopped, reopening a
submission for correction, one unit's answers as a document, QR codes, settings, exports."""
import io
import json
import zipfile
from urllib.parse import unquote

from django.urls import reverse

from campaigns.models import Membership
from surveys import services
from surveys.models import Invitation, Response, Survey
from tests.factories import make_campaign, make_region, make_task, make_user

from .conftest import GOOD_ANSWERS, db_state

PREFILLED = {"pages": [
    {"name": "p1", "elements": [
        {"type": "text", "name": "unit_name", "title": "填报单位", "isRequired": True, "prefill": "unit"},
        {"type": "dropdown", "name": "pref", "title": "所在市州", "isRequired": True, "prefill": "prefecture",
         "choices": ["西宁市", "海东市"]},
        {"type": "boolean", "name": "pair", "title": "是否希望结对帮扶", "labelTrue": "是", "labelFalse": "否"},
    ]},
    {"name": "p2", "elements": [{"type": "text", "name": "staff", "title": "人员数", "inputType": "number"}]},
    {"name": "p3", "elements": [{"type": "comment", "name": "note", "title": "说明", "isRequired": True}]},
]}


def prefilled_survey(world):
    world.a.region = make_region(name="西宁市")
    world.a.save()
    survey = services.create_survey(world.campaign, "摸底", PREFILLED, status=Survey.Status.OPEN)
    (invitation,) = services.invite_units(survey, [world.a])
    return survey, invitation


def post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def test_the_invitation_fills_unit_and_prefecture_read_only_and_the_browser_cannot_change_them(client, survey_world):
    survey, invitation = prefilled_survey(survey_world)
    page = client.get(invitation.get_absolute_url()).content.decode()
    schema = json.loads(page.split('id="survey-schema" type="application/json">')[1].split("</script>")[0])
    answers = json.loads(page.split('id="survey-answers" type="application/json">')[1].split("</script>")[0])
    assert answers == {"unit_name": "甲市市场监管局", "pref": "西宁市"}
    first = schema["pages"][0]["elements"]
    assert first[0]["readOnly"] is True and first[1]["readOnly"] is True and "readOnly" not in first[2]
    response = post(client, reverse("surveys:respond_submit", args=[invitation.token]),
                    {"answers": {"unit_name": "冒充的单位", "pref": "海东市", "note": "无"}})
    assert response.status_code == 200, response.content
    stored = Response.objects.get(invitation=invitation, status=Response.Status.SUBMITTED).answers
    assert stored["unit_name"] == "甲市市场监管局" and stored["pref"] == "西宁市"


def test_form_numbers_questions_as_results_and_exports_do(client, login, survey_world):
    survey, invitation = prefilled_survey(survey_world)
    page = client.get(invitation.get_absolute_url()).content.decode()
    schema = json.loads(page.split('id="survey-schema" type="application/json">')[1].split("</script>")[0])
    assert schema["showQuestionNumbers"] == "off"
    assert [e["title"] for p in schema["pages"] for e in p["elements"]] == [
        "1. 填报单位", "2. 所在市州", "3. 是否希望结对帮扶", "4. 人员数", "5. 说明"]
    services.submit_response(survey, {"pair": True, "note": "无"}, invitation=invitation)
    results = login(survey_world.coordinator).get(reverse("surveys:results", args=[survey.pk])).content.decode()
    assert "3. 是否希望结对帮扶" in results and "5. 说明" in results


def test_booleans_read_as_the_questionnaire_words_them_in_results_and_documents(login, survey_world):
    survey, invitation = prefilled_survey(survey_world)
    response = services.submit_response(survey, {"pair": True, "note": "无"}, invitation=invitation)
    client = login(survey_world.coordinator)
    results = client.get(reverse("surveys:results", args=[survey.pk])).content.decode()
    section = results.split('data-question="pair"')[1].split("</section>")[0]
    assert "是" in section and "否" in section and "True" not in section
    from surveys.results import answer_lines

    assert ("3. 是否希望结对帮扶", "是") in answer_lines(response)


def test_a_draft_resumes_on_the_page_where_it_was_left(client, survey_world):
    survey, invitation = prefilled_survey(survey_world)
    saved = post(client, reverse("surveys:respond_save", args=[invitation.token]),
                 {"answers": {"staff": 4}, "page": 1})
    assert saved.status_code == 200
    draft = Response.objects.get(invitation=invitation, status=Response.Status.DRAFT)
    assert draft.current_page == 1 and draft.answers["staff"] == 4
    page = client.get(invitation.get_absolute_url()).content.decode()
    config = json.loads(page.split('id="survey-config" type="application/json">')[1].split("</script>")[0])
    assert config["page"] == 1


def test_the_office_reopens_a_submission_and_the_unit_submits_a_correction(client, login, survey_world):
    survey = survey_world.survey
    first = services.submit_response(survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    office = login(survey_world.coordinator)
    reply = office.post(reverse("surveys:response_reopen", args=[survey.pk, first.pk]), {"reason": "人员数填错了"})
    assert reply.status_code == 302
    first.refresh_from_db()
    assert first.status == Response.Status.REOPENED and first.reopen_reason == "人员数填错了"
    assert first.reopened_by == survey_world.coordinator and first.answers == GOOD_ANSWERS
    assert Invitation.objects.get(pk=survey_world.inv_a.pk).submitted_at is None
    draft = Response.objects.get(invitation=survey_world.inv_a, status=Response.Status.DRAFT)
    assert draft.answers == GOOD_ANSWERS
    # The unit's link opens the draft with the reason, and a corrected submit counts.
    client.logout()
    page = client.get(survey_world.inv_a.get_absolute_url()).content.decode()
    assert "人员数填错了" in page
    fixed = post(client, reverse("surveys:respond_submit", args=[survey_world.inv_a.token]),
                 {"answers": {**GOOD_ANSWERS, "staff": 7}})
    assert fixed.status_code == 200, fixed.content
    current = Response.objects.get(invitation=survey_world.inv_a, status=Response.Status.SUBMITTED)
    assert current.answers["staff"] == 7 and current.pk != first.pk
    assert Response.objects.filter(invitation=survey_world.inv_a, status=Response.Status.REOPENED).count() == 1
    assert not Response.objects.filter(invitation=survey_world.inv_a, status=Response.Status.DRAFT).exists()
    detail = login(survey_world.coordinator).get(survey.get_absolute_url()).content.decode()
    assert "退回记录" in detail and "人员数填错了" in detail


def test_reopening_without_a_reason_or_by_a_unit_changes_nothing(login, survey_world):
    survey = survey_world.survey
    response = services.submit_response(survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    before = db_state()
    office = login(survey_world.coordinator)
    reply = office.post(reverse("surveys:response_reopen", args=[survey.pk, response.pk]), {"reason": "  "}, follow=True)
    assert "请填写退回原因" in reply.content.decode()
    assert db_state() == before
    unit = login(survey_world.reporter_a)
    assert unit.post(reverse("surveys:response_reopen", args=[survey.pk, response.pk]), {"reason": "改"}).status_code == 403
    assert db_state() == before


def test_reopening_on_a_closed_campaign_is_refused_and_changes_nothing(login, survey_world):
    survey = survey_world.survey
    response = services.submit_response(survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    survey_world.campaign.status = "closed"
    survey_world.campaign.save()
    before = db_state()
    reply = login(survey_world.coordinator).post(
        reverse("surveys:response_reopen", args=[survey.pk, response.pk]), {"reason": "补充数据"})
    assert reply.status_code == 403 and "已结束" in reply.content.decode()
    assert db_state() == before


def test_a_units_answers_download_as_pdf_and_word_with_a_chinese_name(login, survey_world):
    response = services.submit_response(survey_world.survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    client = login(survey_world.reporter_a)
    pdf = client.get(reverse("surveys:response_document", args=[survey_world.survey.pk, response.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "测试问卷-甲市市场监管局-答卷.pdf" in unquote(pdf["Content-Disposition"])
    docx = client.get(reverse("surveys:response_document", args=[survey_world.survey.pk, response.pk, "docx"]))
    text = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    assert "1. 人员数" in text and "甲市市场监管局" in text and "强" in text
    # Another unit cannot read it.
    other = login(survey_world.reporter_b)
    assert other.get(reverse("surveys:response_document",
                             args=[survey_world.survey.pk, response.pk, "pdf"])).status_code == 404


def test_each_invitation_link_has_a_qr_code_beside_it(login, survey_world):
    page = login(survey_world.coordinator).get(survey_world.survey.get_absolute_url()).content.decode()
    rows = page.split('class="small invitation-link"')[1:]
    assert len(rows) == 2 and all("<svg" in row.split("</tr>")[0] for row in rows)


def test_settings_offer_only_the_surveys_own_campaign_tasks(login, survey_world):
    other = make_campaign(survey_world.office, code="other-2025")
    make_task(other, title=survey_world.task.title)  # same title, another campaign
    page = login(survey_world.coordinator).get(reverse("surveys:settings", args=[survey_world.survey.pk]))
    options = page.context["form"].fields["task"].queryset
    assert list(options) == [survey_world.task]


def test_label_and_code_exports_have_different_chinese_names(login, survey_world):
    services.submit_response(survey_world.survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    client = login(survey_world.coordinator)
    labels = client.get(reverse("surveys:export", args=[survey_world.survey.pk, "xlsx"]))["Content-Disposition"]
    codes = client.get(reverse("surveys:export", args=[survey_world.survey.pk, "xlsx"]) + "?codes=1")[
        "Content-Disposition"]
    csv = client.get(reverse("surveys:export", args=[survey_world.survey.pk, "csv"]))["Content-Disposition"]
    assert "测试问卷-答卷（选项文字）-" in unquote(labels)
    assert "测试问卷-答卷（选项代码）-" in unquote(codes)
    assert unquote(csv).endswith(".csv") and "答卷（选项文字）" in unquote(csv)


def test_a_unit_member_sees_its_link_but_not_another_units_answers(login, survey_world):
    make_user(survey_world.b, Membership.Role.REPORTER, username="rep_b2")
    services.submit_response(survey_world.survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    page = login(survey_world.reporter_b).get(survey_world.survey.get_absolute_url()).content.decode()
    assert "甲市市场监管局" not in page.split('id="responses"')[1]

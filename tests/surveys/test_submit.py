"""Respondents submit through the token link; the server validates every submit."""
import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import Invitation, Response, Survey

from .conftest import GOOD_ANSWERS, db_state


def submit(client, invitation, answers=None, body=None):
    url = reverse("surveys:respond_submit", args=[invitation.token])
    data = body if body is not None else json.dumps({"answers": answers})
    return client.post(url, data=data, content_type="application/json")


def test_valid_submit_is_stored_once_and_marks_the_invitation(client, survey_world):
    response = submit(client, survey_world.inv_a, GOOD_ANSWERS)
    assert response.status_code == 200, response.content
    assert response.json()["message"] == "提交成功，感谢您的填写！"
    stored = Response.objects.get()
    assert stored.status == Response.Status.SUBMITTED
    assert stored.unit == survey_world.a
    assert stored.answers["services"] == ["培训"]
    survey_world.inv_a.refresh_from_db()
    assert survey_world.inv_a.submitted_at is not None


@pytest.mark.parametrize(
    "answers, field, text",
    [
        ({**GOOD_ANSWERS, "mystery": "x"}, "mystery", "问卷中没有“mystery”这道题"),
        ({**GOOD_ANSWERS, "services": ["量子服务"]}, "services", "“量子服务”不是本题的选项"),
        ({**GOOD_ANSWERS, "level": "medium"}, "level", "“medium”不是本题的选项"),
        ({k: v for k, v in GOOD_ANSWERS.items() if k != "staff"}, "staff", "为必答题"),
        ({**GOOD_ANSWERS, "has_tisc": True}, "tisc_name", "为必答题"),
        ({**GOOD_ANSWERS, "staff": "five"}, "staff", "请填写数字"),
        ({**GOOD_ANSWERS, "staff": 500}, "staff", "100"),
        ({**GOOD_ANSWERS, "ability": {"检索": 9}}, "ability", "不是可选的列"),
        ({**GOOD_ANSWERS, "services": ["other"]}, "services", "请填写“其他”的具体内容"),
    ],
    ids=["unknown-question", "choice-not-offered", "radio-not-offered", "missing-required", "required-when-visible",
         "wrong-type", "numeric-max", "matrix-column", "other-without-text"],
)
def test_bad_answers_are_refused_with_a_chinese_message_and_nothing_stored(client, survey_world, answers, field, text):
    before = db_state()
    response = submit(client, survey_world.inv_a, answers)
    assert response.status_code == 400
    assert text in response.json()["errors"][field]
    assert db_state() == before


def test_required_question_hidden_by_its_condition_is_not_required(client, survey_world):
    assert "tisc_name" not in GOOD_ANSWERS and GOOD_ANSWERS["has_tisc"] is False
    assert submit(client, survey_world.inv_a, GOOD_ANSWERS).status_code == 200


def test_answer_to_a_hidden_question_is_not_stored(client, survey_world):
    submit(client, survey_world.inv_a, {**GOOD_ANSWERS, "tisc_name": "藏在条件后"})
    assert "tisc_name" not in Response.objects.get().answers


def test_a_5_mb_body_is_refused_and_nothing_stored(client, survey_world):
    before = db_state()
    body = json.dumps({"answers": {**GOOD_ANSWERS, "note": "字" * (5 * 1024 * 1024 // 3)}})
    assert len(body.encode()) >= 5 * 1024 * 1024
    response = submit(client, survey_world.inv_a, body=body)
    assert response.status_code == 400
    assert "提交内容过大" in response.json()["message"]
    assert db_state() == before


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"answers"', '{"answers": [1]}', "\xff"])
def test_invalid_json_is_refused_and_nothing_stored(client, survey_world, body):
    before = db_state()
    response = submit(client, survey_world.inv_a, body=body)
    assert response.status_code == 400
    assert response.json()["message"]
    assert db_state() == before


def test_a_used_token_is_refused_and_nothing_stored(client, survey_world):
    assert submit(client, survey_world.inv_a, GOOD_ANSWERS).status_code == 200
    before = db_state()
    response = submit(client, survey_world.inv_a, {**GOOD_ANSWERS, "staff": 9})
    assert response.status_code == 409
    assert response.json()["message"] == "该问卷已提交，不能重复提交"
    assert db_state() == before
    page = client.get(reverse("surveys:respond", args=[survey_world.inv_a.token]))
    assert "该问卷已提交" in page.content.decode()


def test_double_submit_stores_one_response(client, survey_world):
    codes = [submit(client, survey_world.inv_a, GOOD_ANSWERS).status_code for _ in range(2)]
    assert codes == [200, 409]
    assert Response.objects.filter(invitation=survey_world.inv_a).count() == 1


def test_database_refuses_a_second_submitted_response_for_one_invitation(survey_world):
    from django.db import IntegrityError, transaction

    version = survey_world.survey.current_version
    Response.objects.create(survey=survey_world.survey, version=version, invitation=survey_world.inv_a,
                            status=Response.Status.SUBMITTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=survey_world.survey, version=version, invitation=survey_world.inv_a,
                                status=Response.Status.SUBMITTED)
    assert Response.objects.count() == 1


def test_a_submit_that_missed_the_lock_still_stores_nothing_twice(survey_world):
    """Another writer stored a submitted response without marking the invitation: the submit
    passes the "not yet submitted" mark, and the constraint decides (nothing half-written)."""
    services.submit_response(survey_world.survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
    Invitation.objects.filter(pk=survey_world.inv_a.pk).update(submitted_at=None)
    stale = Invitation.objects.select_related("survey__campaign", "unit").get(pk=survey_world.inv_a.pk)
    with pytest.raises(services.AlreadySubmitted):
        services.submit_response(survey_world.survey, {**GOOD_ANSWERS, "staff": 7}, invitation=stale)
    assert list(Response.objects.values_list("answers__staff", flat=True)) == [5]
    # The invitation's mark was rolled back with the refused insert.
    assert Invitation.objects.get(pk=survey_world.inv_a.pk).submitted_at is None


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_the_same_moment_store_exactly_one(survey_world):
    """Real threads on PostgreSQL (row lock + constraint). The in-memory SQLite test database
    is one connection shared by all threads, so there the attempts run one after another."""
    barrier = threading.Barrier(4) if connection.vendor == "postgresql" else None
    outcomes = []

    def attempt():
        from django.db import connections

        try:
            if barrier:
                barrier.wait()
            services.submit_response(survey_world.survey, GOOD_ANSWERS, invitation=survey_world.inv_a)
            outcomes.append("stored")
        except services.AlreadySubmitted:
            outcomes.append("already")
        finally:
            if barrier:
                connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
        if barrier is None:
            t.join()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already", "already", "already", "stored"]
    assert Response.objects.filter(invitation=survey_world.inv_a, status="submitted").count() == 1


def test_save_and_resume_by_the_same_link(client, survey_world):
    token = survey_world.inv_a.token
    saved = client.post(reverse("surveys:respond_save", args=[token]),
                        data=json.dumps({"answers": {"staff": 3}}), content_type="application/json")
    assert saved.status_code == 200
    draft = Response.objects.get()
    assert draft.status == Response.Status.DRAFT
    page = client.get(reverse("surveys:respond", args=[token]))
    assert page.context["answers"] == {"staff": 3}
    assert submit(client, survey_world.inv_a, GOOD_ANSWERS).status_code == 200
    assert list(Response.objects.values_list("status", flat=True)) == ["submitted"]
    # The submission keeps when the respondent started (the draft's start), not the submit time.
    submitted = Response.objects.get()
    assert submitted.started_at == draft.started_at < submitted.submitted_at


def test_a_draft_with_a_choice_not_offered_is_refused(client, survey_world):
    before = db_state()
    saved = client.post(reverse("surveys:respond_save", args=[survey_world.inv_a.token]),
                        data=json.dumps({"answers": {"services": ["无此项"]}}), content_type="application/json")
    assert saved.status_code == 400
    assert db_state() == before


def test_after_the_closing_time_the_page_says_closed_and_submits_are_refused(client, survey_world):
    Survey.objects.filter(pk=survey_world.survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    page = client.get(reverse("surveys:respond", args=[survey_world.inv_a.token]))
    assert page.status_code == 410
    assert "已截止" in page.content.decode()
    before = db_state()
    response = submit(client, survey_world.inv_a, GOOD_ANSWERS)
    assert response.status_code == 410 and response.json()["message"] == "问卷已截止，不再接收答卷"
    assert db_state() == before


def test_opening_the_link_records_the_first_open_only(client, survey_world):
    url = reverse("surveys:respond", args=[survey_world.inv_a.token])
    client.get(url)
    survey_world.inv_a.refresh_from_db()
    first = survey_world.inv_a.opened_at
    assert first is not None
    client.get(url)
    survey_world.inv_a.refresh_from_db()
    assert survey_world.inv_a.opened_at == first


def test_a_coordinator_checking_a_link_does_not_count_as_opened(login, survey_world):
    login(survey_world.coordinator).get(reverse("surveys:respond", args=[survey_world.inv_a.token]))
    survey_world.inv_a.refresh_from_db()
    assert survey_world.inv_a.opened_at is None


def test_an_unknown_token_shows_nothing(client, survey_world):
    assert client.get(reverse("surveys:respond", args=["x" * 43])).status_code == 404


def test_changed_questionnaire_after_answers_makes_a_new_version_and_old_answers_keep_theirs(client, survey_world):
    assert submit(client, survey_world.inv_a, GOOD_ANSWERS).status_code == 200
    old = Response.objects.get()
    schema = json.loads(json.dumps(survey_world.survey.current_version.schema))
    schema["pages"][0]["elements"][1]["choices"].append("维权援助")
    version = services.save_questionnaire(survey_world.survey, schema)
    assert version.number == 2
    old.refresh_from_db()
    assert old.version.number == 1
    assert "维权援助" not in json.dumps(old.version.schema, ensure_ascii=False)
    assert submit(client, survey_world.inv_b, {**GOOD_ANSWERS, "services": ["维权援助"]}).status_code == 200
    assert Response.objects.get(invitation=survey_world.inv_b).version == version


def test_changing_a_questionnaire_without_answers_replaces_its_version(survey_world):
    schema = json.loads(json.dumps(survey_world.survey.current_version.schema))
    schema["pages"][0]["elements"][0]["title"] = "人员总数"
    version = services.save_questionnaire(survey_world.survey, schema)
    assert version.number == 1 and survey_world.survey.versions.count() == 1


def test_a_version_cannot_be_changed_in_place(survey_world):
    version = survey_world.survey.current_version
    version.schema = {}
    with pytest.raises(ValueError):
        version.save()


def test_open_link_is_rate_limited(client, survey_world, settings):
    settings.SURVEY_OPEN_LINK_RATE = "3/m"
    from django.core.cache import cache

    cache.clear()
    Survey.objects.filter(pk=survey_world.survey.pk).update(access=Survey.Access.OPEN_LINK)
    url = reverse("surveys:open_link", args=[survey_world.survey.open_token])
    codes = [client.get(url).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    before = db_state()
    response = client.post(reverse("surveys:open_submit", args=[survey_world.survey.open_token]),
                           data=json.dumps({"answers": GOOD_ANSWERS}), content_type="application/json")
    assert response.status_code == 429
    assert db_state() == before
    cache.clear()


def test_open_link_submits_create_responses_without_invitation(client, survey_world):
    from django.core.cache import cache

    cache.clear()
    Survey.objects.filter(pk=survey_world.survey.pk).update(access=Survey.Access.OPEN_LINK)
    url = reverse("surveys:open_submit", args=[survey_world.survey.open_token])
    for _ in range(2):
        r = client.post(url, data=json.dumps({"answers": GOOD_ANSWERS}), content_type="application/json")
        assert r.status_code == 200
    assert Response.objects.filter(invitation=None).count() == 2


def test_invitation_links_do_not_work_as_open_links(client, survey_world):
    assert client.get(reverse("surveys:open_link", args=[survey_world.survey.open_token])).status_code == 404


def test_none_cannot_be_chosen_with_other_choices(survey_world):
    from surveys.validation import AnswersInvalid, Questionnaire, validate_answers

    schema = {"pages": [{"elements": [{"type": "checkbox", "name": "x", "choices": ["a", "b"], "showNoneItem": True,
                                       "noneText": "都没有"}]}]}
    with pytest.raises(AnswersInvalid) as exc:
        validate_answers(Questionnaire(schema), {"x": ["a", "none"]})
    assert "“都没有”不能与其他选项同时选择" in exc.value.errors["x"]
    assert validate_answers(Questionnaire(schema), {"x": ["none"]}) == {"x": ["none"]}

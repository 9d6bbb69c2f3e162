"""Needs taken from baseline survey answers: questions declaring "pairingNeeds" say which need each answer means."""

import pytest

from campaigns.models import Unit
from pairing.models import Need
from pairing.services import apply_survey_needs, ensure_vocabularies, needs_from_answers
from tests.factories import make_campaign, make_unit, make_user

SCHEMA = {
    "pages": [
        {
            "name": "p1",
            "elements": [
                {"type": "text", "name": "contact", "title": "联系人"},
                {
                    "type": "checkbox",
                    "name": "wanted_services",
                    "title": "希望得到哪些知识产权公共服务？",
                    "pairingNeeds": "services",
                    "choices": ["信息咨询", "检索分析", "专利导航", "培训"],
                },
            ],
        },
        {
            "name": "p2",
            "elements": [
                {
                    "type": "panel",
                    "name": "industry_panel",
                    "elements": [
                        {
                            "type": "radiogroup",
                            "name": "main_industry",
                            "pairingNeeds": "industries",
                            "choices": [
                                {"value": "农牧", "text": "农牧业"},
                                {"value": "ly", "text": "文化旅游"},
                                {"value": "新能源", "text": "新能源"},
                            ],
                        }
                    ],
                }
            ],
        },
    ]
}


def test_checkbox_strings_and_radio_objects_give_services_and_industries():
    services, industries = needs_from_answers(
        SCHEMA, {"contact": "张三", "wanted_services": ["检索分析", "培训"], "main_industry": "农牧"}
    )
    assert services == {"检索分析", "培训"}
    assert industries == {"农牧"}


def test_a_choice_whose_value_is_a_code_is_read_by_its_text():
    _, industries = needs_from_answers(SCHEMA, {"main_industry": "ly"})
    assert "文化旅游" in industries


def test_values_that_are_not_among_the_choices_and_unmarked_questions_are_ignored():
    services, industries = needs_from_answers(SCHEMA, {"wanted_services": ["培训", "黑客攻击"], "contact": "专利导航"})
    assert services == {"培训"}
    assert industries == set()


def test_no_schema_or_no_answers_means_no_needs():
    assert needs_from_answers({}, {}) == (set(), set())
    assert needs_from_answers(SCHEMA, None) == (set(), set())


def test_apply_survey_needs_sets_the_units_needs_in_the_campaign(db):
    ensure_vocabularies()
    campaign = make_campaign()
    library = make_unit("测试州图书馆", kind=Unit.Kind.OTHER)

    need = apply_survey_needs(
        library, campaign, SCHEMA, {"wanted_services": ["信息咨询", "专利导航"], "main_industry": "ly"}
    )

    need = Need.objects.get(pk=need.pk)
    assert need.source == Need.Source.SURVEY
    assert {s.name for s in need.services.all()} == {"信息咨询", "专利导航"}
    assert {i.name for i in need.industries.all()} == {"文化旅游"}

    # Answering again replaces, it does not pile up; still one Need for the unit.
    apply_survey_needs(library, campaign, SCHEMA, {"wanted_services": ["培训"], "main_industry": "新能源"})
    need = Need.objects.get(campaign=campaign, unit=library)
    assert {s.name for s in need.services.all()} == {"培训"}
    assert {i.name for i in need.industries.all()} == {"新能源"}


def test_a_questionnaire_without_an_industries_question_leaves_industries_alone(db):
    ensure_vocabularies()
    campaign = make_campaign()
    unit = make_unit()
    apply_survey_needs(unit, campaign, SCHEMA, {"wanted_services": ["培训"], "main_industry": "农牧"})
    services_only = {"pages": [SCHEMA["pages"][0]]}

    need = apply_survey_needs(unit, campaign, services_only, {"wanted_services": ["检索分析"]})

    assert {s.name for s in need.services.all()} == {"检索分析"}
    assert {i.name for i in need.industries.all()} == {"农牧"}


def test_names_outside_the_vocabulary_are_dropped_even_if_offered_as_choices():
    schema = {"elements": [{"type": "checkbox", "name": "s", "pairingNeeds": "services", "choices": ["培训", "喝茶"]}]}
    services, _ = needs_from_answers(schema, {"s": ["培训", "喝茶"]})
    assert services == {"培训"}


# ---------------------------------------------------------------- from a submit, through the queue


def _survey_with_needs(units):
    from surveys import services as survey_services
    from surveys.models import Survey

    ensure_vocabularies()
    campaign = make_campaign()
    survey = survey_services.create_survey(campaign, "摸底", SCHEMA, status=Survey.Status.OPEN)
    invitations = survey_services.invite_units(survey, units)
    return campaign, survey, invitations


ANSWERS = {"contact": "张三", "wanted_services": ["检索分析", "培训"], "main_industry": "ly"}


def _submit(client, invitation, answers=ANSWERS):
    import json

    from django.urls import reverse

    return client.post(reverse("surveys:respond_submit", args=[invitation.token]),
                       data=json.dumps({"answers": answers}, ensure_ascii=False), content_type="application/json")


def _run_worker():
    from django.core.management import call_command

    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def _needs(campaign, unit):
    need = Need.objects.filter(campaign=campaign, unit=unit).first()
    if need is None:
        return None
    return {s.name for s in need.services.all()}, {i.name for i in need.industries.all()}, need.source


def test_a_submit_is_a_few_queries_and_only_queues_the_needs(client, db, django_assert_num_queries,
                                                             django_capture_on_commit_callbacks):
    from jobs.models import Job
    from surveys.models import Response

    first, second = make_unit(), make_unit()
    campaign, survey, (inv_first, inv_second) = _survey_with_needs([first, second])
    with django_capture_on_commit_callbacks(execute=True):
        assert _submit(client, inv_first).status_code == 200  # the version's questionnaire is now cached
    # The request: read the invitation (with survey, campaign, unit), the version; then, in
    # one transaction (a savepoint inside the test's): mark the invitation, insert the
    # response and pairing's job row. After commit the job goes on the queue: the task on
    # the database queue, the task's id on the job.
    with django_assert_num_queries(9), django_capture_on_commit_callbacks(execute=True):
        assert _submit(client, inv_second).status_code == 200
    assert Response.objects.filter(invitation=inv_second, status=Response.Status.SUBMITTED).count() == 1
    assert _needs(campaign, second) is None  # nothing done in the request
    job = Job.objects.get(arguments={"response_id": inv_second.responses.get().pk})
    assert job.status == Job.Status.QUEUED and job.function == "pairing.jobs.apply_baseline_needs"


def test_a_questionnaire_without_needs_questions_queues_nothing(client, db, django_capture_on_commit_callbacks):
    from jobs.models import Job
    from surveys import services as survey_services
    from surveys.models import Survey

    unit = make_unit()
    survey = survey_services.create_survey(make_campaign(), "无需求题", {"pages": [SCHEMA["pages"][0] | {
        "elements": [SCHEMA["pages"][0]["elements"][0]]}]}, status=Survey.Status.OPEN)
    (invitation,) = survey_services.invite_units(survey, [unit])
    with django_capture_on_commit_callbacks(execute=True):
        assert _submit(client, invitation, {"contact": "张三"}).status_code == 200
    assert Job.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_queued_job_sets_the_units_needs_as_the_submit_used_to(client):
    unit = make_unit()
    campaign, survey, (invitation,) = _survey_with_needs([unit])
    assert _submit(client, invitation).status_code == 200
    assert _needs(campaign, unit) is None
    _run_worker()
    assert _needs(campaign, unit) == ({"检索分析", "培训"}, {"文化旅游"}, Need.Source.SURVEY)


@pytest.mark.django_db(transaction=True)
def test_a_failed_job_is_shown_failed_and_retried_until_the_needs_are_set(client, monkeypatch, settings):
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils import timezone

    from jobs.models import Job
    from jobs.services import retry_failed

    unit = make_unit()
    campaign, survey, (invitation,) = _survey_with_needs([unit])
    calls = []

    def down(*args, **kwargs):
        calls.append(args)
        raise RuntimeError("数据库暂时不可用")

    monkeypatch.setattr("pairing.services.apply_survey_needs", down)
    assert _submit(client, invitation).status_code == 200  # the respondent's submit is not affected
    _run_worker()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and "数据库暂时不可用" in job.error and len(calls) == 1
    assert _needs(campaign, unit) is None
    # Visible to an administrator in 后台任务, with its reason.
    admin = get_user_model().objects.create_superuser("root-admin", password="pw-test-123")
    client.force_login(admin)
    assert "数据库暂时不可用" in client.get(reverse("jobs:status", args=[job.pk])).json()["error"]
    # Not retried before JOB_RETRY_AFTER has passed.
    assert retry_failed() == 0
    assert Job.objects.get().status == Job.Status.FAILED
    # Later, still failing: retried, failed again, nothing lost.
    later = timezone.now() + settings.JOB_RETRY_AFTER + timedelta(seconds=1)
    assert retry_failed(now=later) == 1
    _run_worker()
    assert len(calls) == 2 and Job.objects.get().status == Job.Status.FAILED
    # The cause is gone: the next retry sets the needs.
    monkeypatch.undo()
    assert retry_failed(now=later + settings.JOB_RETRY_AFTER + timedelta(seconds=1)) == 1
    assert Job.objects.get().status == Job.Status.QUEUED
    _run_worker()
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED and job.error == ""
    assert _needs(campaign, unit) == ({"检索分析", "培训"}, {"文化旅游"}, Need.Source.SURVEY)
    # A day after it began, a failed job is left failed (still visible) instead of retried.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED)
    assert retry_failed(now=timezone.now() + settings.JOB_RETRY_FOR + timedelta(minutes=1)) == 0


@pytest.mark.django_db(transaction=True)
def test_a_late_job_for_a_response_sent_back_does_not_overwrite_the_newer_answers(client):
    from jobs.models import Job
    from jobs.services import retry
    from surveys import services as survey_services

    unit = make_unit()
    campaign, survey, (invitation,) = _survey_with_needs([unit])
    assert _submit(client, invitation).status_code == 200
    _run_worker()
    first_job = Job.objects.get()
    survey_services.reopen_response(invitation.responses.get(), make_user(), "请核对行业")
    invitation.refresh_from_db()
    newer = {**ANSWERS, "wanted_services": ["培训"], "main_industry": "新能源"}
    assert _submit(client, invitation, newer).status_code == 200
    _run_worker()
    assert _needs(campaign, unit) == ({"培训"}, {"新能源"}, Need.Source.SURVEY)
    # The first submission's job runs again late (a retry): it finds its response sent back.
    Job.objects.filter(pk=first_job.pk).update(status=Job.Status.FAILED)
    assert retry(first_job)
    _run_worker()
    first_job.refresh_from_db()
    assert first_job.status == Job.Status.SUCCEEDED and "退回修改" in first_job.message
    assert _needs(campaign, unit) == ({"培训"}, {"新能源"}, Need.Source.SURVEY)


def test_the_job_row_commits_or_rolls_back_with_the_response(client, db, django_capture_on_commit_callbacks):
    from jobs.models import Job
    from surveys.models import Invitation, Response
    from surveys.signals import response_stored

    unit = make_unit()
    campaign, survey, (invitation,) = _survey_with_needs([unit])

    def later_failure(sender, response, **kwargs):
        raise RuntimeError("磁盘已满")

    response_stored.connect(later_failure, dispatch_uid="test.later_failure")
    try:
        with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
            _submit(client, invitation)
    finally:
        response_stored.disconnect(dispatch_uid="test.later_failure")
    assert (Response.objects.count(), Job.objects.count()) == (0, 0)
    assert Invitation.objects.get(pk=invitation.pk).submitted_at is None
    # Refused answers store neither.
    with django_capture_on_commit_callbacks(execute=True):
        assert _submit(client, invitation, {"wanted_services": ["喝茶"]}).status_code == 400
    assert (Response.objects.count(), Job.objects.count()) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_job_stored_but_never_handed_to_the_queue_is_handed_over_later(client, monkeypatch, settings):
    from datetime import timedelta

    from django.utils import timezone

    from jobs.models import Job
    from jobs.services import retry_failed

    unit = make_unit()
    campaign, survey, (invitation,) = _survey_with_needs([unit])
    # The process stops between the commit and handing the job to the queue.
    monkeypatch.setattr("jobs.services.enqueue", lambda job: None)
    assert _submit(client, invitation).status_code == 200
    monkeypatch.undo()
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED and job.task_id == ""
    _run_worker()
    assert _needs(campaign, unit) is None  # the queue never heard of it
    assert retry_failed() == 0  # too recent: it may still be on its way
    assert retry_failed(now=timezone.now() + settings.JOB_RETRY_AFTER + timedelta(seconds=1)) == 1
    assert Job.objects.get().task_id != ""
    _run_worker()
    assert _needs(campaign, unit) == ({"检索分析", "培训"}, {"文化旅游"}, Need.Source.SURVEY)

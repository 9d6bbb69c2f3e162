"""What a submitted baseline survey means elsewhere: pairing needs and the final report's figures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Unit
from pairing.models import Need
from reports.collect import collect_survey_results
from surveys import services
from tests.factories import run_worker

from .conftest import BASELINE_ANSWERS


@pytest.fixture
def seeded(demo):
    """The 2024 plan running, with its baseline survey open and no answers yet (seed_demo
    plays the whole year, so its survey is answered and closed)."""
    from pairing.demo import load_demo_extras as load_pairing_demo
    from surveys.demo import load_baseline_survey

    load_pairing_demo(demo)
    survey = load_baseline_survey(demo)
    return demo, survey


def submit_for(survey, short_name, answers=BASELINE_ANSWERS):
    invitation = survey.invitations.get(unit__short_name=short_name)
    return services.submit_response(survey, answers, invitation=invitation)


@pytest.mark.django_db(transaction=True)
def test_a_bureaus_baseline_answers_become_its_pairing_needs(seeded):
    campaign, survey = seeded
    submit_for(survey, "西宁市")
    bureau = Unit.objects.get(short_name="西宁市")
    # Queued, not done in the submit: the demo's needs for the bureau are still there.
    before = Need.objects.filter(campaign=campaign, unit=bureau).first()
    assert before is None or before.source != Need.Source.SURVEY
    run_worker()
    need = Need.objects.get(campaign=campaign, unit=bureau)
    assert need.source == Need.Source.SURVEY
    assert set(need.services.values_list("name", flat=True)) == {"专利导航", "培训"}
    assert set(need.industries.values_list("name", flat=True)) == {"盐湖化工", "新能源"}


@pytest.mark.django_db(transaction=True)
def test_a_failing_listener_does_not_undo_the_submit(seeded, monkeypatch):
    from jobs.models import Job

    def broken(*args, **kwargs):
        raise RuntimeError("pairing is down")

    monkeypatch.setattr("pairing.services.apply_survey_needs", broken)
    _, survey = seeded
    response = submit_for(survey, "海东市")
    run_worker()
    assert survey.responses.submitted().get() == response
    job = Job.objects.get(function="pairing.jobs.apply_baseline_needs")
    assert job.status == Job.Status.FAILED and "pairing is down" in job.error  # kept, to be retried


def test_the_final_report_counts_the_baseline_survey(seeded):
    campaign, survey = seeded
    submit_for(survey, "西宁市")
    submit_for(survey, "海西州", {**BASELINE_ANSWERS, "help_needed": ["培训"], "staff_total": 10})
    results = collect_survey_results(campaign)
    assert (results.title, results.invited, results.submitted, results.response_rate) == (survey.title, 8, 2, 25.0)
    by_title = {q.title: q for q in results.questions}
    help_needed = {o.label: (o.count, o.share) for o in by_title["最希望获得的帮扶（可多选）"].options}
    assert help_needed["培训"] == (2, 100.0) and help_needed["专利导航"] == (1, 50.0)
    staff = by_title["从事知识产权工作的人员（人）"].numbers
    assert (staff.count, staff.minimum, staff.maximum, staff.mean) == (2, 6, 10, 8)
    own = collect_survey_results(campaign, unit_ids={Unit.objects.get(short_name="海西州").pk})
    assert (own.invited, own.submitted) == (1, 1)


def test_the_reports_survey_figures_take_the_same_queries_for_more_responses(seeded):
    campaign, survey = seeded
    submit_for(survey, "西宁市")
    with CaptureQueriesContext(connection) as few:
        collect_survey_results(campaign)
    for name in ["海东市", "海北州", "黄南州", "海南州", "果洛州"]:
        submit_for(survey, name)
    with CaptureQueriesContext(connection) as more:
        assert collect_survey_results(campaign).submitted == 6
    assert len(more) == len(few)

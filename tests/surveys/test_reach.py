"""Invitations reach only the campaign's units: a provincial survey goes to the bureaus of the
campaign's province, never to another province's. And a hostile ?unit= is just ignored."""
from django.urls import reverse

from campaigns.models import Membership, Region, Unit
from surveys import services
from surveys.models import Invitation, Survey
from tests.factories import make_campaign, make_region, make_task, make_unit, make_user


def provinces():
    home = make_region("本省", kind=Region.Kind.PROVINCE)
    away = make_region("外省", kind=Region.Kind.PROVINCE)
    office = make_unit("本省局公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION, region=home)
    ours = [make_unit(f"本省{n}市场监管局", region=make_region(f"本省{n}", parent=home)) for n in ("甲市", "乙州")]
    theirs = make_unit("外省丙市市场监管局", region=make_region("外省丙市", parent=away))
    return office, ours, theirs


def test_a_survey_whose_task_has_no_bureau_invites_only_the_bureaus_of_the_campaigns_province(client, db):
    office, ours, theirs = provinces()
    campaign = make_campaign(office)
    task = make_task(campaign, units=[office])  # the office's own task, like task 2
    survey = services.create_survey(campaign, "摸底", {"pages": [{"name": "p", "elements": [
        {"type": "text", "name": "a", "title": "甲"}]}]}, task=task, status=Survey.Status.OPEN)
    client.force_login(make_user(office, Membership.Role.COORDINATOR))
    client.post(reverse("surveys:invite", args=[survey.pk]))
    invited = set(Invitation.objects.filter(survey=survey).values_list("unit__name", flat=True))
    assert invited == {u.name for u in ours}
    assert theirs.name not in invited


def test_a_survey_whose_task_names_bureaus_invites_just_those(client, db):
    office, ours, theirs = provinces()
    campaign = make_campaign(office)
    task = make_task(campaign, units=[office, ours[0]])
    survey = services.create_survey(campaign, "摸底", {"pages": [{"name": "p", "elements": [
        {"type": "text", "name": "a", "title": "甲"}]}]}, task=task, status=Survey.Status.OPEN)
    client.force_login(make_user(office, Membership.Role.COORDINATOR))
    client.post(reverse("surveys:invite", args=[survey.pk]))
    assert list(Invitation.objects.filter(survey=survey).values_list("unit__name", flat=True)) == [ours[0].name]


def test_a_25_digit_unit_filter_on_the_results_page_is_ignored_not_a_server_error(login, survey_world):
    client = login(survey_world.coordinator)
    url = reverse("surveys:results", args=[survey_world.survey.pk])
    everyone = client.get(url)
    response = client.get(url, {"unit": "9" * 25})
    assert response.status_code == 200
    assert response.context["selected"] is None and response.context["total"] == everyone.context["total"]
    filtered = client.get(url, {"unit": str(survey_world.a.pk)})
    assert filtered.status_code == 200 and filtered.context["selected"] == survey_world.a.pk

"""Access checks stay cheap on a large campaign: a page's checks share one request's answers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import access
from campaigns.models import Membership, Unit
from reports import access as report_access
from tests.factories import make_plan, make_unit, make_user


def fresh(user):
    """The user as a new request loads it (no answers remembered yet)."""
    return type(user).objects.get(pk=user.pk)


def page_of_checks(user, code):
    """What a page asks of the access helpers, several times over, as views and their
    templates do (the campaign, coordinate/oversee, the report's unit sets)."""
    for _ in range(3):
        campaign = access.get_campaign_for_user(user, code)
        access.can_coordinate(user, campaign)
        access.can_oversee(user, campaign)
        access.member_unit_ids(user)
        access.reporter_unit_ids(user)
        report_access.listed_unit_ids(user, campaign)
        access.reporting_unit_ids(user, campaign, write=True)


@pytest.mark.django_db
def test_access_checks_make_the_same_few_queries_at_20_and_200_tasks():
    counts = {}
    for n in (20, 200):
        office = make_unit(f"省局处室{n}", kind=Unit.Kind.PROVINCIAL_DIVISION)
        bureaus = [make_unit(f"市局{n}-{i}") for i in range(8)]
        campaign = make_plan(n, coordinating_unit=office, units=bureaus)
        coordinator = make_user(office, Membership.Role.COORDINATOR)
        reporter = make_user(bureaus[0])
        for user in (coordinator, reporter):
            user = fresh(user)
            with CaptureQueriesContext(connection) as ctx:
                page_of_checks(user, campaign.code)
            counts[(n, user.username == coordinator.username)] = len(ctx.captured_queries)
    assert counts[(20, True)] == counts[(200, True)]
    assert counts[(20, False)] == counts[(200, False)]
    # Memberships, the campaign and (for a unit) the campaign's responsible units: asked once.
    assert counts[(200, True)] <= 3 and counts[(200, False)] <= 3


@pytest.mark.django_db
def test_a_repeated_check_asks_the_database_nothing_more():
    office = make_unit("省局处室", kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureau = make_unit("甲市局")
    campaign = make_plan(5, coordinating_unit=office, units=[bureau])
    reporter = fresh(make_user(bureau))
    page_of_checks(reporter, campaign.code)
    with CaptureQueriesContext(connection) as ctx:
        page_of_checks(reporter, campaign.code)
    assert ctx.captured_queries == []


@pytest.mark.django_db
def test_the_next_request_sees_a_membership_removed_since():
    office = make_unit("省局处室", kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureau = make_unit("甲市局")
    campaign = make_plan(3, coordinating_unit=office, units=[bureau])
    reporter = make_user(bureau)
    assert access.reporting_unit_ids(fresh(reporter), campaign) == {bureau.pk}
    Membership.objects.filter(user=reporter).delete()
    assert access.reporting_unit_ids(fresh(reporter), campaign) == set()

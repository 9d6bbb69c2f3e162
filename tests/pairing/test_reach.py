"""Pairing stays inside the campaign: mentor and mentee pickers, suggestions and hand-made
pairs offer only the campaign's units (work in it, or its province), never the country."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaigns.models import Region, Unit
from pairing import services
from pairing.forms import ChangeMentorForm, NewPairingForm
from pairing.models import InstitutionProfile, Pairing, Service
from tests.factories import make_region, make_unit


def far_institution():
    """A strong institution in another province, with an active profile that fits every need."""
    far = make_region("远省", kind=Region.Kind.PROVINCE)
    unit = make_unit("远省知识产权服务中心", kind=Unit.Kind.SERVICE_INSTITUTION, region=make_region("远州", parent=far))
    profile = InstitutionProfile.objects.create(unit=unit, capacity=10)
    profile.services.set(Service.objects.all())
    return unit


def test_the_new_pairing_picker_offers_no_institution_of_another_province(world):
    far = far_institution()
    form = NewPairingForm(campaign=world.campaign)
    mentors = set(form.fields["mentor"].queryset)
    assert world.mentor in mentors and world.mentor2 in mentors
    assert far not in mentors


def test_the_change_mentor_picker_offers_no_institution_of_another_province(world):
    far = far_institution()
    pairing = Pairing.objects.create(campaign=world.campaign, task=world.task, mentor=world.mentor, mentee=world.mentee)
    assert set(ChangeMentorForm(pairing=pairing).fields["mentor"].queryset) == {world.mentor2}
    assert far.pk not in ChangeMentorForm(pairing=pairing).fields["mentor"].queryset.values_list("pk", flat=True)


def test_a_hand_made_pair_with_an_outside_mentor_is_refused_and_nothing_is_written(world, client):
    far = far_institution()
    client.force_login(world.coordinator)
    before = list(Pairing.objects.values_list())
    response = client.post(reverse("pairing:pairing_new", args=[world.campaign.code]),
                           {"mentee": world.mentee.pk, "mentor": far.pk}, follow=True)
    assert "请选择受帮扶单位和帮扶机构" in response.content.decode()
    assert list(Pairing.objects.values_list()) == before


def test_the_service_itself_refuses_an_outside_mentor(world):
    far = far_institution()
    with pytest.raises(ValidationError, match="本活动的单位或本省的单位"):
        services.create_pairing(world.campaign, far, world.mentee, None)
    assert not Pairing.objects.exists()


def test_suggestions_never_pick_an_institution_of_another_province(world):
    far_institution()
    InstitutionProfile.objects.exclude(unit__name="远省知识产权服务中心").update(capacity=0)
    plan, _ = services.build_plan(world.campaign)
    assert [p for p in plan.pairs if p.mentor.name == "远省知识产权服务中心"] == []
    assert {mentee.name for mentee, _ in plan.unserved} == {world.mentee.name, world.other.name}


def test_an_institution_of_the_campaigns_province_without_work_in_it_is_still_offered(world):
    near = make_unit("本省新机构", kind=Unit.Kind.SERVICE_INSTITUTION, region=world.mentee.region)
    InstitutionProfile.objects.create(unit=near, capacity=1)
    assert near in set(NewPairingForm(campaign=world.campaign).fields["mentor"].queryset)

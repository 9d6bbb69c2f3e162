from types import SimpleNamespace

import pytest

from campaigns.models import Membership, Region, Unit
from pairing.models import Industry, InstitutionProfile, Need, Service
from pairing.services import ensure_vocabularies
from tests.factories import make_campaign, make_region, make_task, make_unit, make_user


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def vocab(model, *names):
    return list(model.objects.filter(name__in=names))


@pytest.fixture
def world(db, media):
    """A campaign with a coordinator, two mentors and two bureaus to help, each with a reporter."""
    ensure_vocabularies()
    province = make_region("测试省", kind=Region.Kind.PROVINCE)
    east = make_region("东州", parent=province)
    west = make_region("西州", parent=province)
    east.neighbours.add(west)
    office = make_unit("省局测试处", kind=Unit.Kind.PROVINCIAL_DIVISION, region=province)
    campaign = make_campaign(office)
    mentor = make_unit("测试服务中心", kind=Unit.Kind.SERVICE_INSTITUTION, region=east)
    mentor2 = make_unit("测试大学", kind=Unit.Kind.UNIVERSITY, region=west)
    mentee = make_unit("东州市场监管局", region=east)
    other = make_unit("西州市场监管局", region=west)
    task = make_task(campaign, title="建立帮扶机制", purpose="pairing", units=[mentee, other, mentor, mentor2])
    for unit, svc, ind, cap in ((mentor, ["专利导航", "培训"], ["新能源"], 2), (mentor2, ["培训"], ["农牧"], 1)):
        profile = InstitutionProfile.objects.create(unit=unit, capacity=cap)
        profile.services.set(vocab(Service, *svc))
        profile.industries.set(vocab(Industry, *ind))
    for unit, svc, ind in ((mentee, ["专利导航"], ["新能源"]), (other, ["培训"], ["农牧"])):
        need = Need.objects.create(campaign=campaign, unit=unit)
        need.services.set(vocab(Service, *svc))
        need.industries.set(vocab(Industry, *ind))
    return SimpleNamespace(
        campaign=campaign,
        task=task,
        mentor=mentor,
        mentor2=mentor2,
        mentee=mentee,
        other=other,
        coordinator=make_user(office, Membership.Role.COORDINATOR),
        mentor_user=make_user(mentor),
        mentee_user=make_user(mentee),
        other_user=make_user(other),
        mentor_viewer=make_user(mentor, Membership.Role.VIEWER),
    )

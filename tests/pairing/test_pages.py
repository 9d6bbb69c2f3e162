"""What the coordinator and the two sides do on the pages: suggest, accept, change, reject, log, confirm, board."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from campaigns.models import Unit
from pairing.models import InstitutionProfile, MentoringActivity, Need, Pairing, Service
from tests.factories import make_unit


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = png_bytes()


def test_coordinator_saves_suggestions_then_accepts_one_and_rejects_another(world, client):
    client.force_login(world.coordinator)
    page = client.get(reverse("pairing:suggest", args=[world.campaign.code])).content.decode()
    assert "服务对口：专利导航" in page and Pairing.objects.count() == 0

    client.post(reverse("pairing:suggest", args=[world.campaign.code]))

    pairs = {(p.mentor, p.mentee): p for p in Pairing.objects.filter(status="proposed")}
    assert set(pairs) == {(world.mentor, world.mentee), (world.mentor2, world.other)}
    first = pairs[(world.mentor, world.mentee)]
    assert first.task == world.task and first.reasons and first.suggested
    client.post(reverse("pairing:accept", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == "active" and first.starts_on == timezone.localdate()

    second = pairs[(world.mentor2, world.other)]
    client.post(reverse("pairing:reject", args=[second.pk]))
    second.refresh_from_db()
    assert second.status == "rejected"

    # Suggesting again keeps the accepted pair and never proposes the rejected one; the
    # other bureau then goes to the remaining mentor that can serve it (training).
    client.post(reverse("pairing:suggest", args=[world.campaign.code]))
    proposed = list(Pairing.objects.filter(status="proposed"))
    assert [(p.mentor, p.mentee) for p in proposed] == [(world.mentor, world.other)]
    assert Pairing.objects.get(pk=first.pk).status == "active"


def test_coordinator_changes_the_mentor_within_capacity(world, client):
    client.force_login(world.coordinator)
    client.post(reverse("pairing:suggest", args=[world.campaign.code]))
    pairing = Pairing.objects.get(mentee=world.other)
    assert pairing.mentor == world.mentor2

    client.post(reverse("pairing:change", args=[pairing.pk]), {"mentor": world.mentor.pk})

    pairing.refresh_from_db()
    assert pairing.mentor == world.mentor and not pairing.suggested
    assert pairing.reasons == ["服务对口：培训", "地域相邻（东州—西州）"]


def test_change_to_a_full_mentor_is_refused_with_a_message(world, client):
    client.force_login(world.coordinator)
    client.post(reverse("pairing:suggest", args=[world.campaign.code]))
    pairing = Pairing.objects.get(mentee=world.mentee)
    before = Pairing.objects.get(pk=pairing.pk).mentor_id

    response = client.post(reverse("pairing:change", args=[pairing.pk]), {"mentor": world.mentor2.pk}, follow=True)

    assert "名额（1 家）已满" in response.content.decode()
    assert Pairing.objects.get(pk=pairing.pk).mentor_id == before


def test_mentor_logs_an_activity_with_evidence_and_the_mentee_confirms_it(world, client):
    pairing = Pairing.objects.create(
        campaign=world.campaign, mentor=world.mentor, mentee=world.mentee, status="active", starts_on=date(2024, 5, 1)
    )
    client.force_login(world.mentor_user)
    client.post(
        reverse("pairing:activity_new", args=[pairing.pk]),
        {
            "date": "2024-06-03",
            "kind": "on_site",
            "participants": 12,
            "summary": "赴园区实地指导专利导航",
            "evidence": SimpleUploadedFile("现场.png", PNG),
        },
    )
    activity = MentoringActivity.objects.get()
    assert activity.logged_by_unit == world.mentor and activity.confirmed_at is None and activity.evidence

    client.force_login(world.mentee_user)
    page = client.get(reverse("pairing:pairing", args=[pairing.pk])).content.decode()
    assert "赴园区实地指导专利导航" in page and "待受帮扶单位确认" in page
    client.post(reverse("pairing:activity_confirm", args=[activity.pk]))
    page = client.get(reverse("pairing:pairing", args=[pairing.pk])).content.decode()
    assert "受帮扶单位已确认" in page
    assert client.get(reverse("pairing:activity_evidence", args=[activity.pk])).status_code == 200


def test_an_activity_dated_in_the_future_is_refused(world, client):
    pairing = Pairing.objects.create(campaign=world.campaign, mentor=world.mentor, mentee=world.mentee, status="active")
    client.force_login(world.mentor_user)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("pairing:activity_new", args=[pairing.pk]),
        {"date": tomorrow.isoformat(), "kind": "qa", "participants": 1, "summary": "x"},
        follow=True,
    )
    assert "不能晚于今天" in response.content.decode()
    assert MentoringActivity.objects.count() == 0


def test_coordinator_edits_a_pairing_and_ends_it_early(world, client):
    pairing = Pairing.objects.create(campaign=world.campaign, mentor=world.mentor, mentee=world.mentee, status="active")
    client.force_login(world.coordinator)
    navigation = Service.objects.get(name="专利导航")

    client.post(
        reverse("pairing:edit", args=[pairing.pk]),
        {
            "task": world.task.pk,
            "focus_services": [navigation.pk],
            "goals": "完成一项产业专利导航",
            "starts_on": "2024-05-01",
            "ends_on": "",
            "status": "ended_early",
        },
    )

    pairing.refresh_from_db()
    assert pairing.status == "ended_early" and pairing.ends_on == timezone.localdate()
    assert list(pairing.focus_services.all()) == [navigation]


def test_coordinator_edits_a_need_and_a_profile(world, client):
    client.force_login(world.coordinator)
    training = Service.objects.get(name="培训")
    library = make_unit("东州图书馆", kind=Unit.Kind.OTHER, region=world.mentee.region)

    client.post(reverse("pairing:need_edit", args=[world.campaign.code, library.pk]), {"services": [training.pk]})
    client.post(
        reverse("pairing:profile_edit", args=[world.campaign.code, world.mentor2.pk]),
        {"services": [training.pk], "capacity": 3, "active": "on"},
    )

    need = Need.objects.get(unit=library)
    assert list(need.services.all()) == [training]
    assert InstitutionProfile.objects.get(unit=world.mentor2).capacity == 3
    # An empty need is refused.
    response = client.post(reverse("pairing:need_edit", args=[world.campaign.code, library.pk]), {})
    assert "至少选择一项" in response.content.decode()


def make_pairings(w, n):
    for _ in range(n):
        mentee = make_unit(region=w.mentee.region)
        Need.objects.create(campaign=w.campaign, unit=mentee)
        p = Pairing.objects.create(
            campaign=w.campaign, mentor=w.mentor, mentee=mentee, status="active", starts_on=date(2024, 5, 1)
        )
        MentoringActivity.objects.create(pairing=p, date=date(2024, 6, 1), kind="qa", summary="x", logged_by_unit=w.mentor)


def test_board_query_count_does_not_grow_with_pairings(world, client):
    client.force_login(world.coordinator)
    url = reverse("pairing:board", args=[world.campaign.code])
    make_pairings(world, 3)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    make_pairings(world, 30)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


@pytest.mark.parametrize("days_ago, flagged", [(10, False), (45, True)])
def test_board_flags_pairs_quiet_for_30_days_and_shows_coverage(world, client, days_ago, flagged):
    today = timezone.localdate()
    p = Pairing.objects.create(
        campaign=world.campaign,
        mentor=world.mentor,
        mentee=world.mentee,
        status="active",
        starts_on=today - timedelta(days=90),
    )
    MentoringActivity.objects.create(
        pairing=p, date=today - timedelta(days=days_ago), kind="qa", summary="x", logged_by_unit=world.mentor
    )
    client.force_login(world.coordinator)

    page = client.get(reverse("pairing:board", args=[world.campaign.code])).content.decode()

    assert ("45 天无活动" in page) is flagged
    assert "活动 1 次" in page
    assert 'data-region="东州" data-state="covered"' in page
    assert 'data-region="西州" data-state="none"' in page


def test_demo_board_and_timeline_render_for_the_coordinator_and_the_library(demo, client):
    from django.contrib.auth import get_user_model

    from pairing.demo import load_demo_extras

    load_demo_extras(demo)
    User = get_user_model()
    client.force_login(User.objects.get(username="province"))
    page = client.get(reverse("pairing:board", args=[demo.code])).content.decode()
    assert "黄南州：已覆盖" in page and "果洛州：未覆盖" in page
    pairing = Pairing.objects.get(mentee__name="黄南州图书馆")

    client.force_login(User.objects.get(username="hnlib"))
    page = client.get(reverse("pairing:pairing", args=[pairing.pk])).content.decode()
    assert "专利信息检索入门培训" in page and "确认" in page


def test_my_pairings_page_query_count_does_not_grow_with_pairings(world, client):
    client.force_login(world.mentor_user)
    url = reverse("pairing:index")
    make_pairings(world, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        page = client.get(url)
    make_pairings(world, 20)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert len(large) == len(small)
    assert page.content.decode().count("活动次数") == 1


def test_coordinator_pairs_units_by_hand_and_accepts_all(world, client):
    client.force_login(world.coordinator)
    url = reverse("pairing:pairing_new", args=[world.campaign.code])

    client.post(url, {"mentee": world.other.pk, "mentor": world.mentor.pk})
    client.post(url, {"mentee": world.mentee.pk, "mentor": world.mentor.pk})
    response = client.post(url, {"mentee": world.mentee.pk, "mentor": world.mentor.pk}, follow=True)

    assert "已有结对记录" in response.content.decode()
    hand_set = Pairing.objects.get(mentee=world.other)
    assert not hand_set.suggested and hand_set.reasons == ["服务对口：培训", "地域相邻（东州—西州）"]
    # Regenerating suggestions keeps hand-set pairs; accepting all makes both active.
    client.post(reverse("pairing:suggest", args=[world.campaign.code]))
    assert Pairing.objects.count() == 2
    client.post(reverse("pairing:accept_all", args=[world.campaign.code]))
    assert set(Pairing.objects.values_list("status", flat=True)) == {"active"}


def test_reporters_cannot_pair_units_or_accept_all(world, client):
    Pairing.objects.create(campaign=world.campaign, mentor=world.mentor, mentee=world.mentee)
    client.force_login(world.mentor_user)
    before = sorted(Pairing.objects.values_list())
    assert client.post(reverse("pairing:accept_all", args=[world.campaign.code])).status_code == 403
    response = client.post(
        reverse("pairing:pairing_new", args=[world.campaign.code]), {"mentee": world.other.pk, "mentor": world.mentor.pk}
    )
    assert response.status_code == 403
    assert sorted(Pairing.objects.values_list()) == before


def test_a_refused_activity_comes_back_with_each_error_beside_its_field_and_the_input_kept(world, client):
    """It used to redirect with a bare “这个字段是必填项。；这个字段是必填项。” at the top and an empty form."""
    pairing = Pairing.objects.create(campaign=world.campaign, mentor=world.mentor, mentee=world.mentee, status="active")
    client.force_login(world.mentor_user)
    response = client.post(
        reverse("pairing:activity_new", args=[pairing.pk]), {"date": "2024-06-03", "participants": 12, "summary": ""}
    )
    assert response.status_code == 200
    form = response.content.decode().split('id="activity-form"', 1)[1].split("</form>", 1)[0]
    assert form.count("这个字段是必填项。") == 2  # kind and summary, each under its own field
    assert 'name="participants" value="12"' in form
    assert MentoringActivity.objects.count() == 0


def test_an_agreement_posted_without_a_file_says_so_beside_the_upload(world, client):
    pairing = Pairing.objects.create(campaign=world.campaign, mentor=world.mentor, mentee=world.mentee, status="active")
    client.force_login(world.mentee_user)
    response = client.post(reverse("pairing:agreement", args=[pairing.pk]), {})
    assert response.status_code == 200
    page = response.content.decode()
    upload = page.split('name="agreement"', 1)[1].split("</form>", 1)[0]
    assert "这个字段是必填项。" in upload
    pairing.refresh_from_db()
    assert not pairing.agreement

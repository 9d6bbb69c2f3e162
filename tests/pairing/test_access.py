"""Each side sees only its own pairings; nobody edits what is not theirs (and the database stays as it was)."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pairing import services
from pairing.models import InstitutionProfile, MentoringActivity, Need, Pairing
from tests.factories import make_campaign, make_region, make_unit, make_user, pdf_bytes

PDF = pdf_bytes()


def active_pairing(w, mentee=None):
    pairing = Pairing.objects.create(
        campaign=w.campaign,
        task=w.task,
        mentor=w.mentor,
        mentee=mentee or w.mentee,
        status=Pairing.Status.ACTIVE,
        starts_on=date(2024, 5, 1),
    )
    return pairing


def rows(model):
    return sorted(model.objects.values_list())


def test_mentee_cannot_edit_an_activity_the_mentor_logged(world, client):
    pairing = active_pairing(world)
    activity = services.log_activity(
        pairing, world.mentor_user, date=date(2024, 6, 1), kind="training", participants=10, summary="检索培训"
    )
    before = rows(MentoringActivity)
    client.force_login(world.mentee_user)

    response = client.post(
        reverse("pairing:activity_edit", args=[activity.pk]),
        {"date": "2024-06-02", "kind": "qa", "participants": 99, "summary": "改掉"},
    )

    assert response.status_code == 403
    assert rows(MentoringActivity) == before


def test_mentor_cannot_confirm_its_own_activity_only_the_mentee_can(world, client):
    pairing = active_pairing(world)
    activity = services.log_activity(
        pairing, world.mentor_user, date=date(2024, 6, 1), kind="training", participants=10, summary="检索培训"
    )
    assert activity.confirmed_at is None
    before = rows(MentoringActivity)

    client.force_login(world.mentor_user)
    assert client.post(reverse("pairing:activity_confirm", args=[activity.pk])).status_code == 403
    assert rows(MentoringActivity) == before

    client.force_login(world.mentee_user)
    client.post(reverse("pairing:activity_confirm", args=[activity.pk]))
    activity.refresh_from_db()
    assert activity.confirmed_by == world.mentee_user


def test_mentor_cannot_edit_the_activity_the_mentee_logged(world, client):
    pairing = active_pairing(world)
    activity = services.log_activity(
        pairing, world.mentee_user, date=date(2024, 6, 1), kind="qa", participants=3, summary="答疑"
    )
    assert activity.logged_by_unit == world.mentee and activity.confirmed_at is not None
    before = rows(MentoringActivity)
    client.force_login(world.mentor_user)

    response = client.post(
        reverse("pairing:activity_edit", args=[activity.pk]),
        {"date": "2024-06-01", "kind": "qa", "participants": 1, "summary": "x"},
    )

    assert response.status_code == 403
    assert rows(MentoringActivity) == before


def test_either_side_cannot_manage_the_pairing(world, client):
    pairing = Pairing.objects.create(campaign=world.campaign, mentor=world.mentor, mentee=world.mentee)
    before = rows(Pairing)
    for user in (world.mentor_user, world.mentee_user):
        client.force_login(user)
        for name in ("accept", "reject"):
            assert client.post(reverse(f"pairing:{name}", args=[pairing.pk])).status_code == 403
        assert client.post(reverse("pairing:change", args=[pairing.pk]), {"mentor": world.mentor2.pk}).status_code == 403
        assert client.post(reverse("pairing:edit", args=[pairing.pk]), {"status": "completed"}).status_code == 403
    assert rows(Pairing) == before


def test_a_unit_outside_the_pairing_sees_nothing_of_it(world, client):
    pairing = active_pairing(world)
    activity = services.log_activity(
        pairing, world.mentor_user, date=date(2024, 6, 1), kind="qa", participants=1, summary="答疑"
    )
    client.force_login(world.other_user)

    assert client.get(reverse("pairing:pairing", args=[pairing.pk])).status_code == 404
    assert client.get(reverse("pairing:activity_evidence", args=[activity.pk])).status_code == 404
    assert client.post(reverse("pairing:activity_new", args=[pairing.pk]), {}).status_code == 404
    assert client.post(reverse("pairing:activity_confirm", args=[activity.pk])).status_code == 404
    assert client.get(reverse("pairing:board", args=[world.campaign.code])).status_code == 403
    assert "东州市场监管局" not in client.get(reverse("pairing:index")).content.decode()


def test_each_side_lists_only_its_own_pairings(world, client):
    own = active_pairing(world)
    Pairing.objects.create(campaign=world.campaign, mentor=world.mentor2, mentee=world.other, status="active")

    client.force_login(world.mentee_user)
    page = client.get(reverse("pairing:index")).content.decode()
    assert reverse("pairing:pairing", args=[own.pk]) in page
    assert "西州市场监管局" not in page

    client.force_login(world.mentor_user)
    page = client.get(reverse("pairing:index")).content.decode()
    assert reverse("pairing:pairing", args=[own.pk]) in page
    assert "测试大学" not in page


def test_rejected_suggestions_are_hidden_from_both_sides(world, client):
    pairing = Pairing.objects.create(campaign=world.campaign, mentor=world.mentor, mentee=world.mentee, status="rejected")
    client.force_login(world.mentee_user)
    assert client.get(reverse("pairing:pairing", args=[pairing.pk])).status_code == 404


def test_a_viewer_of_the_mentor_reads_but_cannot_log(world, client):
    pairing = active_pairing(world)
    client.force_login(world.mentor_viewer)
    assert client.get(reverse("pairing:pairing", args=[pairing.pk])).status_code == 200
    before = rows(MentoringActivity)
    response = client.post(
        reverse("pairing:activity_new", args=[pairing.pk]),
        {"date": "2024-06-01", "kind": "qa", "participants": 1, "summary": "x"},
    )
    assert response.status_code == 403
    assert rows(MentoringActivity) == before


def test_a_coordinator_of_another_campaign_has_no_rights_here(world, client):
    other_office = make_unit("另一省局处室", kind="division")
    make_campaign(other_office)
    outsider = make_user(other_office, "coordinator")
    pairing = active_pairing(world)
    client.force_login(outsider)

    assert client.get(reverse("pairing:board", args=[world.campaign.code])).status_code == 404
    assert client.get(reverse("pairing:pairing", args=[pairing.pk])).status_code == 404
    assert client.post(reverse("pairing:suggest", args=[world.campaign.code])).status_code == 404
    assert Pairing.objects.count() == 1


def test_reporters_cannot_edit_needs_or_profiles(world, client):
    client.force_login(world.mentor_user)
    url = reverse("pairing:profile_edit", args=[world.campaign.code, world.mentor.pk])
    assert client.post(url, {"capacity": 9, "services": [], "industries": []}).status_code in (403, 404)
    assert world.mentor.pairing_profile.capacity == 2
    url = reverse("pairing:need_edit", args=[world.campaign.code, world.mentee.pk])
    assert client.post(url, {"services": []}).status_code in (403, 404)


def test_an_upload_that_is_not_a_document_is_refused_and_nothing_is_stored(world, client):
    pairing = active_pairing(world)
    client.force_login(world.mentor_user)
    fake = SimpleUploadedFile("协议.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")

    response = client.post(reverse("pairing:agreement", args=[pairing.pk]), {"agreement": fake}, follow=True)

    assert "文件“协议.pdf”的内容不是可接受的帮扶协议类型，未保存" in response.content.decode()
    pairing.refresh_from_db()
    assert not pairing.agreement

    before = rows(MentoringActivity)
    fake = SimpleUploadedFile("照片.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    response = client.post(
        reverse("pairing:activity_new", args=[pairing.pk]),
        {"date": "2024-06-01", "kind": "qa", "participants": 1, "summary": "x", "evidence": fake},
        follow=True,
    )
    assert "文件“照片.jpg”的内容不是可接受的活动佐证材料类型，未保存" in response.content.decode()
    assert rows(MentoringActivity) == before


def test_a_png_signature_followed_by_html_is_refused_as_agreement_and_as_evidence(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pairing = active_pairing(world)
    client.force_login(world.mentor_user)
    before = rows(Pairing), rows(MentoringActivity)
    html = b"\x89PNG\r\n\x1a\n<html><script>alert(document.cookie)</script></html>"

    response = client.post(
        reverse("pairing:agreement", args=[pairing.pk]),
        {"agreement": SimpleUploadedFile("协议.png", html, content_type="image/png")},
        follow=True,
    )
    assert "文件“协议.png”的内容不是可接受的帮扶协议类型，未保存" in response.content.decode()
    response = client.post(
        reverse("pairing:activity_new", args=[pairing.pk]),
        {"date": "2024-06-01", "kind": "qa", "participants": 1, "summary": "x",
         "evidence": SimpleUploadedFile("现场.png", html, content_type="image/png")},
        follow=True,
    )
    assert "文件“现场.png”的内容不是可接受的活动佐证材料类型，未保存" in response.content.decode()

    assert (rows(Pairing), rows(MentoringActivity)) == before
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_an_oversized_upload_is_refused(world, client, settings):
    pairing = active_pairing(world)
    client.force_login(world.mentee_user)
    settings.PAIRING_MAX_UPLOAD_BYTES = 10
    response = client.post(
        reverse("pairing:agreement", args=[pairing.pk]),
        {"agreement": SimpleUploadedFile("协议.pdf", PDF)},
        follow=True,
    )
    assert f"文件“协议.pdf”大小为 {len(PDF)} 字节，超过了 10 字节 的上限，未保存" in response.content.decode()
    pairing.refresh_from_db()
    assert not pairing.agreement


def test_either_side_uploads_the_agreement_and_both_can_download_it(world, client):
    pairing = active_pairing(world)
    client.force_login(world.mentee_user)
    client.post(reverse("pairing:agreement", args=[pairing.pk]), {"agreement": SimpleUploadedFile("协议.pdf", PDF)})
    pairing.refresh_from_db()
    assert pairing.agreement

    client.force_login(world.mentor_user)
    response = client.get(reverse("pairing:agreement", args=[pairing.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_another_provinces_coordinator_cannot_rewrite_this_provinces_profiles_or_needs(world, client):
    from campaigns.models import Region

    far = make_region("远省", kind=Region.Kind.PROVINCE)
    far_office = make_unit("远省局处室", kind="division", region=far)
    far_campaign = make_campaign(far_office)
    outsider = make_user(far_office, "coordinator")
    client.force_login(outsider)
    before_profiles = rows(InstitutionProfile)
    before_needs = rows(Need)
    url = reverse("pairing:profile_edit", args=[far_campaign.code, world.mentor.pk])
    assert client.post(url, {"capacity": 9, "services": [], "industries": []}).status_code == 404
    url = reverse("pairing:need_edit", args=[far_campaign.code, world.mentee.pk])
    assert client.post(url, {"services": [], "industries": []}).status_code == 404
    assert rows(InstitutionProfile) == before_profiles and rows(Need) == before_needs
    # and this province's institutions are not offered to it
    page = client.get(reverse("pairing:profiles", args=[far_campaign.code])).content.decode()
    assert world.mentor.name not in page and world.mentor2.name not in page


def test_the_coordinator_edits_profiles_of_its_own_province(world, client):
    client.force_login(world.coordinator)
    url = reverse("pairing:profile_edit", args=[world.campaign.code, world.mentor.pk])
    response = client.post(url, {"capacity": 3, "services": [], "industries": []})
    assert response.status_code == 302
    world.mentor.pairing_profile.refresh_from_db()
    assert world.mentor.pairing_profile.capacity == 3

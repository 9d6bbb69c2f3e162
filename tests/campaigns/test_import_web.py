"""The import pages: who may, preview then commit, refusals leave the database unchanged."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns import importing
from campaigns.models import Campaign, Membership, Task, Unit
from tests.factories import make_campaign, make_unit, make_user

from .io_helpers import NOTICE, _media_root, plan_rows, snapshot, xlsx_bytes  # noqa: F401


def upload(data, name="plan.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def province(demo, login, django_user_model):
    return login(django_user_model.objects.get(username="province"))


def test_plan_page_links_coordinators_to_import_and_export(demo, login, django_user_model):
    url = reverse("campaigns:plan", args=[demo.code])
    link = reverse("campaigns:import", args=[demo.code])
    assert link in login(django_user_model.objects.get(username="province")).get(url).content.decode()
    assert link not in login(django_user_model.objects.get(username="xining")).get(url).content.decode()


def test_preview_writes_nothing_and_commit_writes_all(province, demo):
    url = reverse("campaigns:import", args=[demo.code])
    before = snapshot()
    rows = plan_rows(30)
    for row in rows:
        row[0], row[1] = "（六）导入的活动", row[1] + 100
    response = province.post(url, {"file": upload(xlsx_bytes(rows))})
    assert response.status_code == 200
    assert response.context["preview"].count(importing.NEW) == 30
    assert "确认导入" in response.content.decode()
    assert snapshot() == before
    token = response.context["token"]
    response = province.post(reverse("campaigns:import_commit", args=[demo.code]), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:plan", args=[demo.code])
    assert demo.tasks.count() == 22 + 30
    assert Task.objects.get(campaign=demo, number=130).title == "导入任务30"
    assert demo.sections.get(ordinal=6).tasks.count() == 30
    # The token is spent: the stashed file is gone.
    again = province.post(reverse("campaigns:import_commit", args=[demo.code]), {"token": token})
    assert again.status_code == 302 and again["Location"] == reverse("campaigns:import", args=[demo.code])


def test_row_50_with_an_unknown_unit_imports_nothing_through_the_web(province, demo):
    before = snapshot()
    response = province.post(
        reverse("campaigns:import", args=[demo.code]), {"file": upload(xlsx_bytes(plan_rows(60, bad_row=50)))}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "第50行：未知单位“西宁市场督察局”，是否为“西宁市市场监管局”？" in html
    assert "确认导入" not in html
    assert snapshot() == before
    # The file is kept so the directory can be fixed from the preview, but it cannot be committed.
    refused = province.post(reverse("campaigns:import_commit", args=[demo.code]), {"token": response.context["token"]})
    assert refused.status_code == 422 and "第50行：未知单位" in refused.content.decode()
    assert snapshot() == before


def test_pasted_notice_text_is_previewed(province, demo):
    response = province.post(reverse("campaigns:import", args=[demo.code]), {"text": NOTICE.read_text(encoding="utf-8")})
    assert response.context["preview"].count(importing.UNCHANGED) == 22


def test_a_docx_notice_upload_is_previewed(province, demo):
    import io

    import docx

    document = docx.Document()
    for line in NOTICE.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    response = province.post(reverse("campaigns:import", args=[demo.code]), {"file": upload(buffer.getvalue(), "方案.docx")})
    assert response.context["preview"].count(importing.UNCHANGED) == 22


def test_a_refused_file_shows_why_and_writes_nothing(province, demo):
    before = snapshot()
    response = province.post(reverse("campaigns:import", args=[demo.code]), {"file": upload(b"PK\x03\x04", "plan.pptx")})
    assert response.status_code == 400
    assert "只接受 .xlsx、.csv、.txt、.docx 或 .pdf 文件" in response.content.decode()
    broken = province.post(reverse("campaigns:import", args=[demo.code]), {"file": upload(b"%PDF-1.4 broken", "plan.pdf")})
    assert broken.status_code == 400 and "无法读取 PDF 文件" in broken.content.decode()
    assert snapshot() == before


def test_an_oversized_upload_is_refused(province, demo, settings):
    settings.IMPORT_MAX_BYTES = 2048
    response = province.post(reverse("campaigns:import", args=[demo.code]), {"file": upload(xlsx_bytes(plan_rows(100)))})
    assert response.status_code == 400 and "超过上限" in response.content.decode()


def test_a_reporter_cannot_import_and_nothing_changes(demo, login, django_user_model):
    client = login(django_user_model.objects.get(username="xining"))
    before = snapshot()
    url = reverse("campaigns:import", args=[demo.code])
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": upload(xlsx_bytes(plan_rows(3)))}).status_code == 403
    assert client.post(reverse("campaigns:import_commit", args=[demo.code]), {"token": "x"}).status_code == 403
    assert snapshot() == before


def test_a_coordinator_of_another_campaign_cannot_import_here(demo, login):
    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
    make_campaign(office)
    client = login(make_user(office, Membership.Role.COORDINATOR))
    before = snapshot()
    assert (
        client.post(reverse("campaigns:import", args=[demo.code]), {"file": upload(xlsx_bytes(plan_rows(3)))}).status_code
        == 404
    )
    assert snapshot() == before


def test_a_token_is_bound_to_its_user(province, demo, login, django_user_model):
    response = province.post(reverse("campaigns:import", args=[demo.code]), {"file": upload(xlsx_bytes(plan_rows(3)))})
    token = response.context["token"]
    other = make_user(demo.coordinating_unit, Membership.Role.COORDINATOR)
    before = snapshot()
    response = login(other).post(reverse("campaigns:import_commit", args=[demo.code]), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:import", args=[demo.code])
    assert snapshot() == before


def test_a_forged_token_is_refused(province, demo):
    before = snapshot()
    response = province.post(reverse("campaigns:import_commit", args=[demo.code]), {"token": "eyJmIjoiYWJjIn0:forged"})
    assert response.status_code == 302
    assert snapshot() == before


def test_a_plan_changed_since_the_preview_is_shown_again_not_written(province, demo):
    task = demo.tasks.get(number=4)
    rows = [["（二）知识产权公共服务基础能力提升活动", 4, task.title, "省局商标品牌处", "2024-07-15", ""]]
    response = province.post(reverse("campaigns:import", args=[demo.code]), {"file": upload(xlsx_bytes(rows))})
    token = response.context["token"]
    Task.objects.filter(pk=task.pk).update(title="别人刚改过的标题")
    response = province.post(reverse("campaigns:import_commit", args=[demo.code]), {"token": token})
    assert response.status_code == 200 and response.context["stale"]
    task.refresh_from_db()
    assert task.title == "别人刚改过的标题" and task.deadline != date(2024, 7, 15)


def test_a_coordinator_turns_the_notice_into_a_draft_campaign(province, demo):
    assert reverse("campaigns:import_new") in province.get(reverse("campaigns:list")).content.decode()
    office = demo.coordinating_unit
    before = snapshot()
    response = province.post(
        reverse("campaigns:import_new"),
        {"code": "qinghai-2025", "coordinating_unit": office.pk, "file": upload(NOTICE.read_bytes(), "通知.txt")},
    )
    assert response.status_code == 200
    assert response.context["preview"].count(importing.NEW) == 22
    assert "将新建活动方案（草稿）：2024年青海省“知识产权公共服务市州行”活动方案" in response.content.decode()
    assert "管理后台" not in response.content.decode() and "可在“编辑方案”中修改" in response.content.decode()
    assert snapshot() == before
    response = province.post(
        reverse("campaigns:import_new_commit"),
        {"token": response.context["token"], "code": "qinghai-2025", "unit": office.pk},
    )
    assert response["Location"] == reverse("campaigns:editor", args=["qinghai-2025"])
    campaign = Campaign.objects.get(code="qinghai-2025")
    assert campaign.status == Campaign.Status.DRAFT and campaign.coordinating_unit == office
    assert campaign.tasks.count() == 22 and campaign.sections.count() == 5
    assert province.get(reverse("campaigns:plan", args=["qinghai-2025"])).status_code == 200


def test_a_new_campaign_needs_a_free_code_and_a_unit_the_user_coordinates(province, demo):
    other = Unit.objects.get(name="西宁市市场监管局")
    before = snapshot()
    response = province.post(
        reverse("campaigns:import_new"),
        {"code": demo.code, "coordinating_unit": other.pk, "text": NOTICE.read_text(encoding="utf-8")},
    )
    assert response.status_code == 200 and set(response.context["form"].errors) == {"code", "coordinating_unit"}
    assert snapshot() == before


def test_a_reporter_cannot_start_a_campaign(demo, login, django_user_model):
    client = login(django_user_model.objects.get(username="xining"))
    before = snapshot()
    assert reverse("campaigns:import_new") not in client.get(reverse("campaigns:list")).content.decode()
    assert client.get(reverse("campaigns:import_new")).status_code == 403
    bureau = Unit.objects.get(name="西宁市市场监管局")
    response = client.post(reverse("campaigns:import_new_commit"), {"token": "x", "code": "mine", "unit": bureau.pk})
    assert response.status_code == 403
    assert snapshot() == before


def test_an_administrator_may_import_into_any_campaign(demo, login, django_user_model):
    client = login(django_user_model.objects.create_superuser("admin", password="pw-admin-123"))
    response = client.post(reverse("campaigns:import", args=[demo.code]), {"text": NOTICE.read_text(encoding="utf-8")})
    assert response.status_code == 200 and response.context["preview"].count(importing.UNCHANGED) == 22

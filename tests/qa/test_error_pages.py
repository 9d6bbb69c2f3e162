"""Error pages a bureau clerk can meet are in Chinese and lead back to the workbench
(Django's defaults read “Not Found”, “Forbidden”, “Server Error (500)”)."""
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from campaigns.models import Assignment, Membership, Unit
from reports.models import WrittenSummary
from tests.factories import make_user

User = get_user_model()
ENGLISH = ["Not Found", "Forbidden", "Server Error", "The requested resource", "CSRF verification failed"]


def assert_chinese_page(response, *phrases):
    body = response.content.decode()
    for english in ENGLISH:
        assert english not in body
    assert 'lang="zh-CN"' in body and "返回工作台" in body
    for phrase in phrases:
        assert phrase in body


def test_another_units_assignment_answers_a_chinese_404(demo, login):
    haidong = Assignment.objects.filter(unit__name="海东市市场监管局").first()
    response = login(User.objects.get(username="xining")).get(reverse("campaigns:assignment", args=[haidong.pk]))
    assert response.status_code == 404
    assert_chinese_page(response, "页面不存在或您无权查看")


def test_an_unknown_address_answers_a_chinese_404(demo, login):
    response = login(User.objects.get(username="xining")).get("/no-such-page/")
    assert response.status_code == 404
    assert_chinese_page(response, "页面不存在")


def test_a_read_only_member_gets_a_chinese_403_with_the_reason(demo, login):
    xining = Unit.objects.get(name="西宁市市场监管局")
    viewer = make_user(xining, role=Membership.Role.VIEWER)
    before = list(WrittenSummary.objects.values())
    response = login(viewer).post(reverse("reports:submit_summary", args=[demo.code, xining.pk]), {"text": "总结"})
    assert response.status_code == 403
    assert_chinese_page(response, "您只能查看，不能为该单位报送", "联系本单位的填报人")
    assert list(WrittenSummary.objects.values()) == before


def test_a_stale_form_answers_a_chinese_csrf_page(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "xining", "password": "qinghai2024"})
    assert response.status_code == 403
    assert_chinese_page(response, "页面已过期", "刷新后重新填写提交")


def test_the_server_error_page_is_chinese(db):
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert_chinese_page(response, "系统出错")

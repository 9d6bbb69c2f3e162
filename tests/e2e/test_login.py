import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_bureau_logs_in_and_sees_its_tasks(page, demo_site):
    log_in(page, demo_site, "xining")
    assert page.url.endswith("/my/")
    assert page.locator("h1").inner_text() == "我的任务"
    numbers = page.locator("#my-tasks [data-task]").evaluate_all("rows => rows.map(r => r.dataset.task)")
    assert sorted(int(n) for n in numbers) == [3, 6, 8, 11, 14]
    # Bootstrap's stylesheet came from our own static files, not a CDN.
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"


def test_wrong_password_stays_on_login_with_a_message(page, demo_site):
    log_in(page, demo_site, "xining", password="wrong-password")
    assert "/accounts/login/" in page.url
    assert "用户名或密码不正确" in page.content()


def test_coordinator_lands_on_the_plan_on_a_phone(browser, demo_site):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, demo_site, "province")
    assert "/campaigns/qinghai-2024/" in page.url
    # One section at a time: （一） holds task 1, the tab for （二） opens tasks 2-10.
    assert page.locator("tr[data-task]").count() == 1
    assert "9 项任务" in page.locator("[data-section='2']").inner_text()
    page.click("[data-section='2']")
    page.wait_for_url("**/campaigns/qinghai-2024/?section=2#sections")
    assert page.locator("tr[data-task]").evaluate_all("rows => rows.map(r => +r.dataset.task)") == list(range(2, 11))
    # nothing wider than the phone's screen but the scrollable tables
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    context.close()

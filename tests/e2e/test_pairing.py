import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def pairing_site(demo_site):
    from campaigns.models import Campaign
    from pairing.demo import load_demo_extras

    load_demo_extras(Campaign.objects.get(code="qinghai-2024"))
    return demo_site


def test_coordinator_builds_the_plan_and_the_library_confirms_an_activity(page, pairing_site):
    log_in(page, pairing_site, "province")
    page.click("nav >> text=结对帮扶")
    page.click("a.btn:has-text('知识产权公共服务市州行')")
    assert page.locator("#coverage [data-state=covered]").all_inner_texts() == ["黄南州：已覆盖"]
    page.click(".nav-tabs >> text=配对建议")
    assert page.locator("#plan tbody tr").count() == 8
    assert "未能匹配" in page.content() and "每家单位都有建议的帮扶机构" in page.content()
    page.click("text=保存为待确认结对")
    assert "/pairing/qinghai-2024/" in page.url
    assert "已生成 8 对建议结对" in page.content()
    assert page.locator("#board a", has_text="待确认").count() == 8

    page.context.clear_cookies()
    log_in(page, pairing_site, "hnlib")
    page.goto(f"{pairing_site}/pairing/")
    page.click("text=查看")
    assert "青海大学 → 黄南州图书馆" in page.content()
    page.click("#timeline button:has-text('确认')")
    assert page.locator("#timeline .badge", has_text="待受帮扶单位确认").count() == 0

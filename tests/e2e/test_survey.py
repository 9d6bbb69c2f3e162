"""The baseline questionnaire in a real browser: a bureau fills, saves, comes back, submits;
the coordinator sees the response rate move and the answers in the export."""
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def baseline(demo_site):
    from campaigns.models import Campaign
    from surveys.demo import load_baseline_survey

    return load_baseline_survey(Campaign.objects.get(code="qinghai-2024"))


def question(page, name):
    return page.locator(f".sd-question[data-name={name}]")


def test_bureau_fills_saves_resumes_and_submits_and_coordinator_sees_it(page, demo_site, baseline):
    invitation = baseline.invitations.get(unit__short_name="西宁市")
    link = f"{demo_site}{invitation.get_absolute_url()}"

    # Part of page 1 through the SurveyJS interface.
    page.goto(link)
    question(page, "respondent_unit").locator("input").fill("西宁市市场监管局知识产权科")
    question(page, "prefecture").locator(".sd-dropdown").click()
    page.locator(".sv-list__item", has_text="西宁市").first.click()
    question(page, "ip_department").get_by_text("由其他科室兼管").click()
    question(page, "staff_total").locator("input").fill("6")
    page.get_by_role("button", name="保存，稍后继续").click()
    expect(page.locator("#survey-message")).to_contain_text("已保存")
    # SurveyJS's own strings were corrected: OK is 确定, not 还行.
    assert page.evaluate("Survey.surveyLocalization.locales['zh-cn'].ok") == "确定"

    # Reopen the same link: the answers are still there.
    page.goto(link)
    expect(question(page, "respondent_unit").locator("input")).to_have_value("西宁市市场监管局知识产权科")
    expect(question(page, "staff_total").locator("input")).to_have_value("6")
    expect(question(page, "prefecture")).to_contain_text("西宁市")
    expect(question(page, "ip_department").locator("input[value=由其他科室兼管]")).to_be_checked()

    # Finish page 1 in the form, then the rest.
    question(page, "staff_public_service").locator("input").fill("2")
    page.get_by_role("button", name="下一页").click()
    question(page, "institutions").get_by_text("技术与创新支持中心（TISC）").click()
    question(page, "institution_names").locator("input").fill("青海大学TISC")
    question(page, "tisc_count").locator("input").fill("1")
    question(page, "tisc_count").locator("input").press("Tab")  # SurveyJS takes a text value on blur
    # The remaining pages' answers are set on the SurveyJS model; navigation and submit are the UI's.
    page.evaluate("""() => window.outreachSurvey.mergeData({
        has_service_window: false, no_outlet_reason: "缺少人员",
        services_offered: ["信息咨询", "培训"], consultations_2023: 120, enterprises_served_2023: 35,
        training_held: true, training_sessions: 3, training_participants: 150, service_satisfaction: 2,
        key_industries: ["盐湖化工", "新能源"], help_needed: ["专利导航", "培训"], difficulties: ["专业人员不足"],
        difficulty_details: "专职人员只有2人", capability: {search: 1, protection: 2, operation: 1, brand: 2},
        wants_pairing: true, preferred_mentor: "TISC", contact_name: "张敏", contact_phone: "0971-1234567"
    })""")
    for number in range(2, 5):  # pages 3, 4 and 5 (0-based 2..4)
        page.get_by_role("button", name="下一页").click()
        errors = page.evaluate(
            "window.outreachSurvey.getAllQuestions().filter(q => q.errors.length)"
            ".map(q => q.name + ': ' + q.errors.map(e => e.getText()))"
        )
        assert errors == [], errors
        assert page.evaluate("window.outreachSurvey.currentPageNo") == number, number
    page.get_by_role("button", name="提交问卷").click()
    page.wait_for_selector("text=提交成功，感谢您的填写！")

    # The link now only says it was submitted.
    page.goto(link)
    expect(page.locator("#already-submitted")).to_be_visible()

    # The coordinator sees the response rate move and the answers in the export.
    log_in(page, demo_site, "province")
    page.goto(f"{demo_site}/surveys/{baseline.pk}/results/")
    expect(page.locator("#rate")).to_have_text("12.5%")
    expect(page.locator("tr[data-unit=西宁市] .badge")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").first.click()
    rows = list(load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active.iter_rows(values_only=True))
    assert len(rows) == 2
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert cells["单位"] == "西宁市市场监管局"
    assert cells["从事知识产权工作的人员（人）"] == 6
    assert cells["所在市州"] == "西宁市"
    assert cells["最希望获得的帮扶（可多选）[专利导航]"] == 1
    assert cells["本市州已有的知识产权公共服务机构（可多选）[技术与创新支持中心（TISC）]"] == 1


def test_respondent_page_works_on_a_phone(browser, demo_site, baseline):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{demo_site}{baseline.invitations.first().get_absolute_url()}")
    page.wait_for_selector(".sd-question")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    context.close()

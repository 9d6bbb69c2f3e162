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


@pytest.fixture(autouse=True)
def generous_engine_limit(settings):
    """The shared test machine is slow; the time limit itself is tested in tests/surveys."""
    settings.SURVEY_ENGINE_TIMEOUT_MS = 20000


def titles(page):
    return page.evaluate("window.outreachSurvey.currentPage.questions.map(q => q.title)")


def test_bureau_resumes_on_its_page_with_its_unit_prefilled_and_corrects_a_reopened_answer(page, demo_site, baseline):
    invitation = baseline.invitations.get(unit__short_name="西宁市")
    link = f"{demo_site}{invitation.get_absolute_url()}"

    # The link knows the unit: 填报单位 and 所在市州 are filled and read-only, not asked again.
    page.goto(link)
    expect(question(page, "respondent_unit").locator("input")).to_have_value("西宁市市场监管局")
    assert page.evaluate("window.outreachSurvey.getQuestionByName('respondent_unit').isReadOnly")
    assert page.evaluate("window.outreachSurvey.getQuestionByName('prefecture').value") == "西宁市"
    assert page.evaluate("window.outreachSurvey.getQuestionByName('prefecture').isReadOnly")
    assert titles(page)[0].startswith("1. ")
    question(page, "ip_department").get_by_text("由其他科室兼管").click()
    question(page, "staff_total").locator("input").fill("6")
    question(page, "staff_public_service").locator("input").fill("2")
    question(page, "staff_public_service").locator("input").press("Tab")
    page.get_by_role("button", name="下一页").click()
    assert page.evaluate("window.outreachSurvey.currentPageNo") == 1
    question(page, "institutions").get_by_text("技术与创新支持中心（TISC）").click()
    page.get_by_role("button", name="保存，稍后继续").click()
    expect(page.locator("#survey-message")).to_contain_text("已保存")

    # Back later: the form opens on the page where it was left, answers kept.
    page.goto(link)
    page.wait_for_selector(".sd-question")
    assert page.evaluate("window.outreachSurvey.currentPageNo") == 1
    expect(question(page, "institutions").locator("input[value=tisc]")).to_be_checked()
    question(page, "institution_names").locator("input").fill("青海大学TISC")
    question(page, "tisc_count").locator("input").fill("1")
    question(page, "tisc_count").locator("input").press("Tab")
    # The typed answers are in the survey's data before the page is switched from script below.
    page.wait_for_function("window.outreachSurvey.getValue('tisc_count') == 1"
                           " && window.outreachSurvey.getValue('institution_names') === '青海大学TISC'")
    # The capability matrix says it is required (*), as the server enforces.
    page.evaluate("window.outreachSurvey.currentPageNo = 3")
    expect(question(page, "capability").locator(".sd-question__title")).to_contain_text("*")
    expect(question(page, "wants_pairing")).to_contain_text("是")
    expect(question(page, "wants_pairing")).to_contain_text("否")
    page.evaluate("window.outreachSurvey.currentPageNo = 1")
    page.evaluate("""() => window.outreachSurvey.mergeData({
        has_service_window: false, no_outlet_reason: "缺少人员",
        services_offered: ["信息咨询", "培训"], consultations_2023: 120, enterprises_served_2023: 35,
        training_held: false, service_satisfaction: 2,
        key_industries: ["盐湖化工", "新能源"], help_needed: ["专利导航", "培训"], difficulties: ["经费不足"],
        difficulty_details: "经费只够日常运转", capability: {search: 1, protection: 2, operation: 1, brand: 2},
        wants_pairing: true, preferred_mentor: "TISC", contact_name: "张敏", contact_phone: "0971-1234567"
    })""")
    for number in range(2, 5):
        page.get_by_role("button", name="下一页").click()
        errors = page.evaluate(
            "window.outreachSurvey.getAllQuestions().filter(q => q.errors.length)"
            ".map(q => q.name + ': ' + q.errors.map(e => e.getText()))"
        )
        assert errors == [], errors
        assert page.evaluate("window.outreachSurvey.currentPageNo") == number, number
    page.get_by_role("button", name="提交问卷").click()
    page.wait_for_selector("text=提交成功，感谢您的填写！")
    page.goto(link)
    expect(page.locator("#already-submitted")).to_be_visible()

    # The office sends it back for correction, with a reason.
    log_in(page, demo_site, "province")
    page.goto(f"{demo_site}{baseline.get_absolute_url()}")
    row = page.locator("#responses tr[data-unit=西宁市]")
    row.locator("input[name=reason]").fill("从业人员数请按年末口径重填")
    row.get_by_role("button", name="退回修改").click()
    expect(page.locator(".alert-success")).to_contain_text("已退回")

    # The unit opens the same link: its answers are back, with the reason; it corrects and submits.
    page.context.clear_cookies()
    page.goto(link)
    expect(page.locator("#reopened-notice")).to_contain_text("从业人员数请按年末口径重填")
    expect(question(page, "staff_total").locator("input")).to_have_value("6")
    question(page, "staff_total").locator("input").fill("8")
    question(page, "staff_total").locator("input").press("Tab")
    for _ in range(4):
        page.get_by_role("button", name="下一页").click()
    page.get_by_role("button", name="提交问卷").click()
    page.wait_for_selector("text=提交成功，感谢您的填写！")

    # The office sees the correction, the earlier submission kept in the history, and the export.
    log_in(page, demo_site, "province")
    page.goto(f"{demo_site}{baseline.get_absolute_url()}")
    expect(page.locator("#reopen-history")).to_contain_text("从业人员数请按年末口径重填")
    page.goto(f"{demo_site}/surveys/{baseline.pk}/results/")
    expect(page.locator("#rate")).to_have_text("12.5%")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").first.click()
    assert "答卷（选项文字）" in download.value.suggested_filename
    rows = list(load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active.iter_rows(values_only=True))
    assert len(rows) == 2
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert cells["单位"] == "西宁市市场监管局"
    assert cells["4. 从事知识产权工作的人员（人）"] == 8
    assert cells["2. 所在市州"] == "西宁市"
    assert cells["25. 是否希望与省内服务机构结对帮扶"] == "是"


def test_respondent_page_works_on_a_phone(browser, demo_site, baseline):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{demo_site}{baseline.invitations.first().get_absolute_url()}")
    page.wait_for_selector(".sd-question")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    context.close()

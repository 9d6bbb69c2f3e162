"""A questionnaire carrying script cannot run it: the coordinator saves one through the page,
a respondent opens it, and nothing runs — the schema was sanitised on save, and the
Content-Security-Policy would block it even where a stored schema escaped the sanitiser."""
import json

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

# Each handler would mark the page if it ever ran.
HANDLER = "document.title='pwned';window.pwned=1"
PAYLOAD_SCHEMA = {
    "title": f"<b>摸底</b><img src=x onerror=\"{HANDLER}\">",
    "pages": [{"name": "p1", "elements": [
        {"type": "html", "name": "intro",
         "html": f"<p>请如实填写</p><img src=x onerror=\"{HANDLER}\"><script>{HANDLER}</script>"},
        {"type": "text", "name": "staff", "title": f"<b>人员数</b><img src=x onerror=\"{HANDLER}\">",
         "description": f"<svg onload=\"{HANDLER}\"></svg>说明"},
    ]}],
}


def watch_violations(page):
    page.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.cspViolations.push(e.violatedDirective));"
    )


def assert_nothing_ran(page):
    assert page.evaluate("window.pwned") is None
    assert page.title() != "pwned"


def test_a_questionnaire_with_script_saved_through_the_page_runs_nothing_for_its_respondent(page, demo_site):
    from campaigns.models import Campaign, Unit
    from surveys import services
    from surveys.models import Survey

    watch_violations(page)
    log_in(page, demo_site, "province")
    page.goto(f"{demo_site}/surveys/new/")
    campaign = Campaign.objects.get(code="qinghai-2024")
    page.select_option("#id_s-campaign", str(campaign.pk))
    page.fill("#id_s-title", "载荷问卷")
    page.select_option("#id_s-status", "open")
    page.fill("#id_q-schema_text", json.dumps(PAYLOAD_SCHEMA, ensure_ascii=False))
    page.wait_for_timeout(500)  # the live preview renders what was typed
    assert_nothing_ran(page)
    page.click("#questionnaire-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    survey = Survey.objects.get(title="载荷问卷")
    assert "onerror" not in json.dumps(survey.current_version.schema)

    (invitation,) = services.invite_units(survey, [Unit.objects.get(name="西宁市市场监管局")])
    respondent = page.context.browser.new_context(locale="zh-CN").new_page()
    watch_violations(respondent)
    respondent.goto(f"{demo_site}{invitation.get_absolute_url()}")
    respondent.get_by_text("请如实填写").wait_for()
    respondent.wait_for_timeout(300)
    assert respondent.locator(".sd-question[data-name=staff]").inner_text().count("人员数") == 1
    assert_nothing_ran(respondent)
    # SurveyJS itself works within the policy: nothing of the page had to be blocked.
    assert respondent.evaluate("window.cspViolations") == []
    respondent.context.close()


def test_script_that_escaped_the_sanitiser_is_still_blocked_by_the_policy(page, demo_site):
    """A schema written straight to the database (an old row, a bug in the sanitiser): the
    browser refuses the inline handler and the inline script."""
    from campaigns.models import Campaign, Unit
    from surveys import services
    from surveys.models import Survey, SurveyVersion

    survey = Survey.objects.create(campaign=Campaign.objects.get(code="qinghai-2024"), title="旧问卷",
                                   status=Survey.Status.OPEN)
    SurveyVersion.objects.create(survey=survey, number=1, schema=PAYLOAD_SCHEMA)
    (invitation,) = services.invite_units(survey, [Unit.objects.get(name="西宁市市场监管局")])
    watch_violations(page)
    page.goto(f"{demo_site}{invitation.get_absolute_url()}")
    page.get_by_text("请如实填写").wait_for()
    page.wait_for_timeout(500)
    assert_nothing_ran(page)
    assert "script-src-attr" in page.evaluate("window.cspViolations") or "script-src-elem" in page.evaluate(
        "window.cspViolations")

"""On a phone (390 px), the coordinator's list pages neither spill sideways nor squeeze a
column to one character per line: wide tables scroll inside their .table-responsive box."""
import pytest
from django.core.management import call_command

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

# Width of the narrowest cell of each table inside a .table-responsive box, in CSS pixels.
NARROWEST_CELL = """() => Math.min(...[...document.querySelectorAll('.table-responsive > table:not(.table-plan) td')]
    .filter(td => td.offsetParent !== null && td.colSpan === 1 && td.innerText.trim().length > 1)
    .map(td => td.getBoundingClientRect().width))"""


@pytest.fixture
def full_demo_site(live_server, transactional_db, settings, tmp_path):
    """The live server with everything `seed_demo` loads (summaries, surveys, pairing too)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with open("/dev/null", "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    return live_server.url


@pytest.mark.parametrize("path", [
    "/campaigns/qinghai-2024/tasks/",  # the filter form overflowed and task titles wrapped per character
    "/reports/qinghai-2024/",          # unit names one character per line
    "/surveys/{survey}/",              # the invitation table
    "/pairing/qinghai-2024/needs/",
])
def test_list_pages_fit_a_phone_and_keep_columns_readable(browser, full_demo_site, path):
    demo_site = full_demo_site
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, demo_site, "province")
    from surveys.models import Survey

    page.goto(demo_site + path.format(survey=Survey.objects.get().pk))
    assert page.locator("h1").count() == 1  # the page itself, not an error page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(NARROWEST_CELL) >= 48  # three characters at least
    context.close()

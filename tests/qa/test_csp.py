"""Every response carries a strict Content-Security-Policy, and no template carries inline
script (the crawl in test_crawl.py checks every page a role reaches; these check the rest:
error pages, the login and admin pages, JSON answers and the templates themselves)."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.qa.test_crawl import Links, csp_problems


def policy(response):
    return dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split(";") if part.strip()
    )


def test_the_login_page_carries_a_policy_with_no_inline_or_foreign_script(client, db):
    directives = policy(client.get(reverse("login")))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives.get("style-src", "") and "unsafe-eval" not in str(directives)
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'" and directives["form-action"] == "'self'"


@pytest.mark.parametrize("path", ["/no-such-page/", "/admin/login/", "/campaigns/", "/surveys/r/not-a-token/"])
def test_error_admin_and_redirect_responses_carry_the_policy_too(client, db, path):
    response = client.get(path)
    assert csp_problems(path, response) == []


def test_json_answers_carry_the_policy(client, db):
    client.force_login(get_user_model().objects.create_superuser("admin-csp", "a@example.cn", "x"))
    response = client.get("/admin/jsi18n/")
    assert csp_problems("/admin/jsi18n/", response) == []


TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]


def test_no_template_holds_inline_script_or_event_handlers():
    found = []
    for folder in TEMPLATE_DIRS:
        for template in folder.rglob("*.html"):
            text = template.read_text()
            # Template tags could hide attributes from the parser; blank them out first.
            parser = Links()
            parser.feed(re.sub(r"{%.*?%}|{{.*?}}", "x", text))
            found += [f"{template.relative_to(settings.BASE_DIR)}: {code}" for code in parser.inline_code]
            if re.search(r"<style\b", text):
                found.append(f"{template.relative_to(settings.BASE_DIR)}: <style> element")
    assert found == []


def test_no_script_of_the_site_turns_questionnaire_text_into_html():
    """SurveyJS shows titles and descriptions as text unless a page registers onTextMarkdown
    and hands back HTML; the site never does, matching the sanitiser's plain-text rule."""
    scripts = [p for folder in ("static", "campaigns/static", "surveys/static", "reports/static", "pairing/static")
               for p in (Path(settings.BASE_DIR) / folder).rglob("*.js")]
    assert scripts
    assert [str(p) for p in scripts if "onTextMarkdown" in p.read_text()] == []

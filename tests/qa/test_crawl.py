"""Walk every link each demo role can reach, as that role, and check what a user would meet.

Starting from the landing page (and, for a respondent, an invitation link), every internal
<a href> on every HTML page is fetched once with GET. A link shown to a user must open for
that user: no server error, and no 403/404 either (a refused link is a dead end on screen).
HTML pages must not show Django's or django-filter's English defaults. Every response
carries the site's Content-Security-Policy, and no HTML page holds inline script code or
an inline event handler (which that policy would block).
"""
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from surveys.models import Invitation

SKIP = re.compile(r"^/(accounts/logout|admin)/")
# Strings Django, django-filter or a bare form would show in English (or as a bare dash row).
ENGLISH_DEFAULTS = [
    "Unknown", "This field is required", "Enter a valid", "Ensure this value", "Select a valid choice",
    "Choose File", "No file chosen", "Currently:", "Change:", "Clear", "Yes", "No",
    "Page not found", "Forbidden", "Server Error", "None",
]
# A select's blank choice must say what it means (请选择 / 全部), not Django's dashes or django-filter's 未知.
BAD_OPTIONS = {"---------", "未知", "Unknown"}
VISIBLE_TEXT = re.compile(r">([^<]+)<")
# Pages reached from the navbar (or by a respondent's link) need no breadcrumb; every other page
# shows one, so there is always a way back.
TOP_LEVEL = re.compile(
    r"^/(|my/|my/dashboard/|campaigns/|campaigns/[\w-]+/|surveys/|pairing/|accounts/login/|surveys/[ro]/[\w-]+/"
    r"|notifications/|jobs/)$"
)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.options, self.inline_code = [], [], []
        self._in_option = self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])
        self._in_option = tag == "option"
        # Data blocks (json_script) are not executed; anything else without src is inline code.
        self._in_inline_script = tag == "script" and "src" not in attributes and attributes.get("type") != "application/json"
        self.inline_code += [f"<{tag} {name}=…>" for name in attributes if name.startswith("on")]
        if any((value or "").strip().lower().startswith("javascript:") for value in attributes.values()):
            self.inline_code.append(f"<{tag} …javascript:…>")

    def handle_endtag(self, tag):
        self._in_inline_script = False

    def handle_data(self, data):
        if self._in_option:
            self.options.append(data.strip())
        if self._in_inline_script and data.strip():
            self.inline_code.append(f"<script>{data.strip()[:40]}…")


def csp_problems(path, response):
    """The page's Content-Security-Policy is there and allows scripts from this site only
    (downloads carry a stricter one: nothing at all, sandboxed)."""
    policy = response.get("Content-Security-Policy", "")
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())
    default = directives.get("default-src")
    scripts, objects = directives.get("script-src", default), directives.get("object-src", default)
    if scripts not in ("'self'", "'none'") or objects != "'none'":
        return [f"{path}: Content-Security-Policy missing or not strict ({policy!r})"]
    return []


def visible_text(html):
    body = re.sub(r"(?s)<script.*?</script>|<style.*?</style>|<!--.*?-->", "", html)
    return " ".join(t.strip() for t in VISIBLE_TEXT.findall(body) if t.strip())


def crawl(client, start, limit=600):
    """GET every internal link reachable from `start`; returns {path: status} and the problems."""
    seen, queue, problems = {}, list(start), []
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        problems += csp_problems(path, response)
        if response.status_code in (301, 302):
            target = urlsplit(urljoin(path, response["Location"]))
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
            continue
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or "text/html" not in content_type:
            continue
        html = response.content.decode()
        parser = Links()
        parser.feed(html)
        text = visible_text(html)
        words = set(re.findall(r"[A-Za-z]+:?", text))
        problems += [f"{path}: a choice reads “{option}”" for option in sorted(BAD_OPTIONS & set(parser.options))]
        problems += [f"{path}: inline script {code}" for code in parser.inline_code]
        if len(re.findall(r"<h1\b", html)) != 1:
            problems.append(f"{path}: not exactly one <h1> heading")
        if 'class="breadcrumb"' not in html and not TOP_LEVEL.match(urlsplit(path).path):
            problems.append(f"{path}: no breadcrumb (no way back)")
        for english in ENGLISH_DEFAULTS:
            if english in words or (" " in english and english in text):
                problems.append(f"{path}: shows “{english}”")
        for href in parser.hrefs:
            if href.startswith(("#", "mailto:", "javascript:")):
                continue
            target = urlsplit(urljoin(path, href))
            if target.netloc and target.netloc != "testserver":
                continue
            if SKIP.match(target.path):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    assert len(seen) < limit, "crawl did not finish"
    return seen, problems


@pytest.fixture
def full_demo(db, settings, tmp_path):
    """Everything `seed_demo` loads: plan, progress, surveys, pairing, summaries and cases."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with open("/dev/null", "w") as quiet:
        call_command("seed_demo", stdout=quiet)


@pytest.mark.parametrize("username", ["province", "xining", "huangnan", "qingzang", "hnlib", "shangbiao"])
def test_every_link_a_role_sees_opens_for_that_role(full_demo, client, username):
    client.force_login(get_user_model().objects.get(username=username))
    seen, problems = crawl(client, ["/"])
    refused = {path: status for path, status in seen.items() if status not in (200, 301, 302)}
    assert refused == {}
    assert problems == []
    assert len(seen) > 5  # the crawl really walked the site (hnlib, with no task, has the fewest pages)


def test_an_administrator_reaches_the_unit_directory_import_and_every_link_opens(full_demo, client):
    admin = get_user_model().objects.create_superuser("qa-admin", "qa@example.cn", "x")
    client.force_login(admin)
    seen, problems = crawl(client, ["/"])
    assert "/units/import/" in seen  # linked from 活动方案 (it was reachable only by typing the address)
    assert {path: status for path, status in seen.items() if status not in (200, 301, 302)} == {}
    assert problems == []


def test_a_respondent_and_an_anonymous_visitor_meet_only_the_survey_and_the_login_page(full_demo, client):
    token = Invitation.objects.filter(unit__name="黄南州市场监管局").values_list("token", flat=True).get()
    seen, problems = crawl(client, ["/", f"/surveys/r/{token}/", "/campaigns/", "/surveys/", "/pairing/",
                                    "/reports/qinghai-2024/", "/my/", "/my/dashboard/"])
    assert problems == []
    assert seen[f"/surveys/r/{token}/"] == 200
    for path, status in seen.items():
        if path.startswith("/accounts/login/") or path.startswith(f"/surveys/r/{token}/"):
            assert status == 200, path
        else:
            assert status == 302, path

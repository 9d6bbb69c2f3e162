"""Every URL pattern sends an anonymous visitor to the login page."""
import re
from urllib.parse import urlparse

from django.urls import URLPattern, URLResolver, get_resolver

# Pages that are public by design, with the reason.
PUBLIC = {
    "login": "the login page itself",
    "logout": "logging out needs no login",
    # Survey respondents: the unguessable token is the key (tests/surveys cover them).
    "respond": "a respondent's invitation link",
    "respond_save": "a respondent's invitation link",
    "respond_submit": "a respondent's invitation link",
    "open_link": "a survey's open link (rate-limited)",
    "open_submit": "a survey's open link (rate-limited)",
    # A new unit account sets its password: the one-time token is the key (test_unit_accounts).
    "password_reset_confirm": "a one-time password-set link",
    "password_reset_complete": "the page after setting a password",
}


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name


def sample_url(pattern):
    """A concrete URL for a route or regex pattern, with placeholder values."""
    pattern = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000000", pattern)
    url = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m.group(1) in ("int", None) and "pk" in m.group(2)
                 or m.group(1) == "int" else "x", pattern)
    url = url.lstrip("^").rstrip("$").replace("\\Z", "")
    url = re.sub(r"\(\?P<\w+>[^)]*\)", "1", url)
    url = re.sub(r"[\\?]", "", url)
    return "/" + url


def test_every_url_pattern_sends_anonymous_visitors_to_login(client, db):
    checked = 0
    for pattern, name in walk(get_resolver().url_patterns):
        if name in PUBLIC:
            continue
        url = sample_url(pattern)
        response = client.get(url)
        if pattern.startswith("admin/"):
            # Django's admin has its own login page; it too lets nothing through.
            assert response.status_code in (302, 404), (url, response.status_code)
            if response.status_code == 302:
                assert "/login/" in response["Location"], url
            continue
        assert response.status_code == 302, (url, response.status_code)
        assert urlparse(response["Location"]).path == "/accounts/login/", url
        checked += 1
    assert checked >= 6

"""Every page a role reaches, asked again with the query parameters a hand-edited address or
a crawler sends: page numbers out of range or not numbers, sections that do not exist, and
garbage in every field of the page's own GET forms (filters). A person must meet a page
(or a refusal), never a server error."""
import re
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model

from tests.qa.test_crawl import crawl, full_demo  # noqa: F401 - the fixture is used by name

ODD = ["abc", "-1", "99999999999999999999", "' OR 1=1 --", "\u0000", "２"]
GET_FORM = re.compile(r"(?is)<form\b(?![^>]*method=[\"']?post)[^>]*>(.*?)</form>")
FIELD = re.compile(r"(?i)<(?:input|select|textarea)\b[^>]*\bname=[\"']([^\"']+)[\"']")


def fields_of(html):
    names = set()
    for body in GET_FORM.findall(html):
        names.update(n for n in FIELD.findall(body) if n != "csrfmiddlewaretoken")
    return names | {"page", "section"}


@pytest.mark.parametrize("username", ["province", "xining"])
def test_odd_query_parameters_never_make_a_server_error(full_demo, client, username):  # noqa: F811
    client.raise_request_exception = False
    client.force_login(get_user_model().objects.get(username=username))
    seen, _ = crawl(client, ["/"])
    pages = sorted({urlsplit(p).path for p, status in seen.items() if status == 200})
    failures, fields = [], set()
    for path in pages:
        response = client.get(path)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for name in sorted(fields_of(response.content.decode())):
            fields.add(name)
            for value in ODD:
                url = f"{path}?{urlencode({name: value})}"
                status = client.get(url).status_code
                if status >= 500:
                    failures.append(f"{url}: {status}")
    assert failures == []
    # The walk really reached the filters (status, unit, deadline ...), not only page and section.
    assert len(pages) > 10 and len(fields) > 5, (pages, fields)

"""Questionnaire content is data, never markup: what a SurveyJS schema may carry as HTML.

`sanitize_schema` runs once, where a questionnaire is saved (surveys.services), over the
whole schema: pages, panels, questions, choices, validators, localized texts
({"default": …, "zh-cn": …}) and anything else nested.

- Properties SurveyJS renders as HTML (an `html` element's `html`, `completedHtml`,
  `completedBeforeHtml`, `loadingHtml`, `completedHtmlOnCondition[].html`) are cleaned with
  nh3 (the Rust ammonia sanitiser) against an allow-list: text formatting, lists, and
  images whose address is on this site (a path starting with one "/"). Scripts, event
  handlers, iframes, SVG, styles, links and foreign or data: images are removed.
- Every other text (titles, descriptions, choice texts, placeholders, validator messages …)
  is shown by SurveyJS as plain text (the site sets no markdown/HTML hook), so it is
  left exactly as typed unless it carries something that looks like a tag, in which case
  it gets the same cleaning: "x < 5 & y" stays, "<img src=x onerror=…>" does not.
- Names, expressions (`visibleIf`, `expression` …) and values that are code, not text, are
  never touched.
"""
import re

import nh3

# Properties SurveyJS renders as HTML.
HTML_KEYS = frozenset({"html", "completedHtml", "completedBeforeHtml", "loadingHtml"})

# Properties that are identifiers or expressions, compared or evaluated, never displayed as
# markup; cleaning them would change what they mean.
CODE_KEYS = frozenset({
    "name", "valueName", "type", "inputType", "expression", "defaultValueExpression", "minValueExpression",
    "maxValueExpression", "regex", "pairingNeeds", "locale", "mode", "questionsOrder", "choicesOrder",
    "showQuestionNumbers", "questionTitleLocation", "questionErrorLocation", "showProgressBar", "widthMode",
    "setToName", "setValue", "fromName", "gotoName", "runExpression", "cellType", "colCount",
})

ALLOWED_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "s", "del", "ins", "sub", "sup", "small", "mark", "br", "hr",
    "p", "div", "span", "blockquote", "ul", "ol", "li", "h3", "h4", "h5", "h6", "img",
})
ALLOWED_ATTRIBUTES = {"img": {"src", "alt", "width", "height"}}

# Something a browser could parse as a tag, comment or declaration.
TAG_LIKE = re.compile(r"<[A-Za-z!/?]")


def _is_code_key(key):
    return key in CODE_KEYS or key.endswith("If") or key.endswith("Expression")


def _own_site_images_only(element, attribute, value):
    """nh3 attribute filter: an <img src> must be a path on this site ("/…", not "//host")."""
    if element == "img" and attribute == "src":
        if not value.startswith("/") or value.startswith(("//", "/\\")):
            return None
    return value


def clean_html(text):
    """`text` reduced to the allow-list (formatting, lists, images from this site)."""
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(),  # relative addresses only; the filter above narrows them to "/…"
        attribute_filter=_own_site_images_only,
        link_rel=None,
        strip_comments=True,
    )


def clean_text(text):
    """A displayed text: unchanged unless it carries something tag-like."""
    return clean_html(text) if TAG_LIKE.search(text) else text


def _clean(value, html):
    if isinstance(value, str):
        return clean_html(value) if html else clean_text(value)
    if isinstance(value, dict):
        return {key: _clean_member(key, item, html) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item, html) for item in value]
    return value


def _clean_member(key, item, inherited_html):
    if _is_code_key(key):
        return item
    # A localized object ({"default": …, "zh-cn": …}) under an HTML key stays HTML.
    return _clean(item, inherited_html or key in HTML_KEYS)


def sanitize_schema(schema):
    """A copy of the SurveyJS `schema` with no markup beyond the allow-list anywhere."""
    return _clean(schema, False)

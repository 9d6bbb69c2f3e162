"""A survey's results counted by the database, never by loading every response.

Per question: how many answered; choice counts (scalar answers and the elements of
checkbox / tagbox / ranking arrays); matrix row × column counts; number statistics (count,
sum, min, max, median); and one page of the free-text answers. Four queries whatever the
number of responses (five with texts): the totals and number statistics in one scan,
the choice and matrix counts in one, the medians in one, the text counts and one page of
texts per question in one.

The JSON functions differ between SQLite (json_type / json_extract / json_each and `->`)
and PostgreSQL (jsonb_typeof / `->>` / jsonb_each / jsonb_array_elements): those
differences are written once, in the two `Dialect` classes below; every query is built
from them. Values come back as JSON text and are decoded in Python, so a choice is keyed
exactly as the questionnaire's value is (str(value)), as the page always keyed it.
"""
import json
import math
from decimal import Decimal

from django.db import connection
from django.db.models import F

from .validation import MULTI_TYPES

# Questions whose answers are counted per value (a list counts each of its elements).
COUNTED_TYPES = MULTI_TYPES | {"radiogroup", "dropdown", "boolean", "rating"}
# Free-text answers shown per question on one page of the results.
TEXT_PAGE = 20
# Characters a comment made only of is blank (str.strip() of the usual cases, full-width space too).
BLANK = " \t\n\r\u3000"


class Dialect:
    """SQL fragments over a JSON document `doc` and a key given as a parameter."""

    def path(self, name):
        raise NotImplementedError

    def json_at(self, doc, key):
        """The value at `key` as JSON (NULL when absent)."""
        return f"({doc} -> {key})"

    def answered(self, doc, key):
        """True when the key holds something other than null, "", [] or {} (what the page counts)."""
        return f"({self.json_at(doc, key)} NOT IN ('null', '\"\"', '[]', '{{}}'))"


class SQLiteDialect(Dialect):
    def path(self, name):
        return '$."' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def is_number(self, doc, key):
        return f"(json_type({doc}, {key}) IN ('integer', 'real'))"

    def is_object(self, doc, key):
        return f"(json_type({doc}, {key}) = 'object')"

    def number(self, doc, key):
        return f"json_extract({doc}, {key})"

    def string(self, doc, key):
        return f"(CASE WHEN json_type({doc}, {key}) = 'text' THEN json_extract({doc}, {key}) END)"

    def json_text(self, expr):
        return expr

    def nonblank(self, text):
        return f"(TRIM({text}, '{BLANK}') <> '')"

    def elements(self, doc, key, kind):
        """FROM-clause items giving (k, v): a matrix's row keys and column values, else the
        elements of an array or the scalar itself, v as JSON text."""
        # JSON text of each value: typed columns where exact; a real's own literal (`->`) so that
        # 1.10 reads as Python reads it.
        value = ("(CASE je.type WHEN 'text' THEN json_quote(je.value) WHEN 'true' THEN 'true' "
                 "WHEN 'false' THEN 'false' WHEN 'null' THEN 'null' "
                 f"WHEN 'real' THEN COALESCE({doc} -> je.fullkey, json_quote(je.value)) "
                 "ELSE CAST(je.value AS TEXT) END)")
        return f"json_each({doc}, {key}) AS je", f"CASE WHEN {kind} = 'm' THEN je.key END", value


class PostgreSQLDialect(Dialect):
    def path(self, name):
        return name

    def is_number(self, doc, key):
        return f"(jsonb_typeof({doc} -> {key}) = 'number')"

    def is_object(self, doc, key):
        return f"(jsonb_typeof({doc} -> {key}) = 'object')"

    def number(self, doc, key):
        return f"(CASE WHEN jsonb_typeof({doc} -> {key}) = 'number' THEN ({doc} ->> {key})::numeric END)"

    def string(self, doc, key):
        return f"(CASE WHEN jsonb_typeof({doc} -> {key}) = 'string' THEN {doc} ->> {key} END)"

    def json_text(self, expr):
        return f"({expr})::text"

    def nonblank(self, text):
        return f"(BTRIM({text}, '{BLANK}') <> '')"

    def elements(self, doc, key, kind):
        value = f"({doc} -> {key})"
        typ = f"jsonb_typeof({value})"
        return (
            "LATERAL ("
            f"SELECT NULL::text AS k, e AS v FROM jsonb_array_elements(CASE WHEN {kind} = 'c' AND {typ} <> 'object' "
            f"THEN (CASE WHEN {typ} = 'array' THEN {value} ELSE jsonb_build_array({value}) END) ELSE '[]'::jsonb END) e "
            "UNION ALL "
            f"SELECT m.key, m.value FROM jsonb_each(CASE WHEN {kind} = 'm' AND {typ} = 'object' THEN {value} "
            "ELSE '{}'::jsonb END) m) AS je",
            "je.k", "(je.v)::text")


def dialect():
    if connection.vendor == "postgresql":
        return PostgreSQLDialect()
    if connection.vendor == "sqlite":
        return SQLiteDialect()
    raise NotImplementedError(f"survey results need SQLite or PostgreSQL, not {connection.vendor}")


def plain_number(value):
    """A number as Python's json module would have read it: PostgreSQL's numeric 5 → 5, 5.0 → 5.0."""
    if isinstance(value, Decimal):
        return int(value) if value.as_tuple().exponent >= 0 else float(value)
    return value


def _source(responses):
    """The responses' rows as a subquery: rid, doc (the answers), unit_name."""
    rows = responses.order_by().values(rid=F("pk"), doc=F("answers"), unit_name=F("unit__name"))
    sql, params = rows.query.sql_with_params()
    return f"({sql}) AS r", list(params)


def _questions_table(rows):
    """An inline table q(name, path, kind) from [(name, path, kind)], for joins (both vendors)."""
    sql = " UNION ALL ".join("SELECT %s AS name, %s AS path, %s AS kind" for _ in rows)
    return f"({sql}) AS q", [v for row in rows for v in row]


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def own_text_kind(q):
    """When q's own answer is listed as text: 'never' (counted), 'object' (all but objects:
    a matrix), 'number' (all but numbers: a number question), 'always'."""
    if q.type in COUNTED_TYPES:
        return "never"
    if q.type == "matrix":
        return "object"
    if q.is_numeric:
        return "number"
    return "always"


def _own_text(d, q, doc, key):
    kind = own_text_kind(q)
    if kind == "never":
        return "(1 = 0)"
    condition = d.answered(doc, key)
    if kind == "object":
        condition += f" AND NOT {d.is_object(doc, key)}"
    elif kind == "number":
        condition += f" AND NOT {d.is_number(doc, key)}"
    return f"({condition})"


def _comment(d, doc, key):
    """The comment ("other, please specify") if it is a non-blank string, else NULL."""
    text = d.string(doc, key)
    return f"(CASE WHEN {d.nonblank(text)} THEN {text} END)"


def summarize(questions, responses, text_pages=None, with_texts=True):
    """(total, items) of the submitted `responses` (a queryset) for `questions`, as the results
    page shows them. `text_pages` maps a question name to the page of its texts to load
    (default 1); without texts (reports), the texts query is skipped."""
    d = dialect()
    source, source_params = _source(responses)
    doc = "r.doc"

    # 1. Totals, answered counts, text counts and number statistics: one scan.
    columns, params = ["COUNT(*)"], []
    numeric = [q for q in questions if q.is_numeric]
    for q in questions:
        key = d.path(q.name)
        columns.append(f"SUM(CASE WHEN {d.answered(doc, '%s')} THEN 1 ELSE 0 END)")
        params.append(key)
        if with_texts:
            own = _own_text(d, q, doc, "%s")
            comment = _comment(d, doc, "%s")
            columns.append(f"SUM(CASE WHEN {own} OR {comment} IS NOT NULL THEN 1 ELSE 0 END)")
            params += [key] * own.count("%s") + [d.path(q.name + "-Comment")] * comment.count("%s")
    for q in numeric:
        value = f"(CASE WHEN {d.is_number(doc, '%s')} THEN {d.number(doc, '%s')} END)"
        for agg in ("COUNT", "SUM", "MIN", "MAX"):
            columns.append(f"{agg}({value})")
            params += [d.path(q.name)] * value.count("%s")
    row = _fetch(f"SELECT {', '.join(columns)} FROM {source}", params + source_params)[0]
    total, row = row[0], list(row[1:])
    answered, text_counts, numbers = {}, {}, {}
    for q in questions:
        answered[q.name] = row.pop(0) or 0
        if with_texts:
            text_counts[q.name] = row.pop(0) or 0
    for q in numeric:
        n, total_sum, low, high = row[:4]
        del row[:4]
        if n:
            numbers[q.name] = {"n": n, "sum": float(total_sum), "min": plain_number(low), "max": plain_number(high)}

    # 2. Choice and matrix counts: one scan, grouped by question, row key and value.
    counts = {q.name: {} for q in questions}
    counted = [(q.name, d.path(q.name), "m" if q.type == "matrix" else "c")
               for q in questions if q.type in COUNTED_TYPES or q.type == "matrix"]
    if counted:
        table, table_params = _questions_table(counted)
        items_from, key_expr, value_expr = d.elements(doc, "q.path", "q.kind")
        is_object = d.is_object(doc, "q.path")
        sql = (f"SELECT q.name, {key_expr} AS k, {value_expr} AS v, COUNT(*) FROM {source} CROSS JOIN {table} "
               f"CROSS JOIN {items_from} WHERE {d.answered(doc, 'q.path')} "
               f"AND ((q.kind = 'm' AND {is_object}) OR (q.kind = 'c' AND NOT {is_object})) GROUP BY 1, 2, 3")
        for name, row_key, value, n in _fetch(sql, source_params + table_params):
            value = json.loads(value)
            key = f"{row_key}\x00{value}" if row_key is not None else str(value)
            counts[name][key] = counts[name].get(key, 0) + n

    # 3. Medians: the middle one or two values of each number question, ranked by the database.
    if numbers:
        rows = [(q.name, d.path(q.name), "n") for q in numeric if q.name in numbers]
        table, table_params = _questions_table(rows)
        sql = (f"SELECT name, v, rn, n FROM (SELECT q.name AS name, {d.number(doc, 'q.path')} AS v, "
               f"ROW_NUMBER() OVER (PARTITION BY q.name ORDER BY {d.number(doc, 'q.path')}) AS rn, "
               f"COUNT(*) OVER (PARTITION BY q.name) AS n FROM {source} CROSS JOIN {table} "
               f"WHERE {d.is_number(doc, 'q.path')}) ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2) ORDER BY name, rn")
        middle = {}
        for name, value, _, _ in _fetch(sql, source_params + table_params):
            middle.setdefault(name, []).append(plain_number(value))
        for name, values in middle.items():
            numbers[name]["median"] = values[0] if len(values) == 1 else (values[0] + values[1]) / 2

    # 4. One page of each question's texts (its own free answers and "other" comments).
    texts = {q.name: [] for q in questions}
    pages = {}
    if with_texts:
        wanted = []
        for q in questions:
            count = text_counts[q.name]
            last = max(1, math.ceil(count / TEXT_PAGE))
            page = min(max(1, (text_pages or {}).get(q.name, 1)), last)
            pages[q.name] = {"page": page, "pages": last, "count": count,
                             "first": (page - 1) * TEXT_PAGE + 1, "last": min(page * TEXT_PAGE, count)}
            if count:
                wanted.append((q, (page - 1) * TEXT_PAGE))
        parts, params = [], []
        for q, offset in wanted:
            own = _own_text(d, q, doc, "%s")
            comment = _comment(d, doc, "%s")
            own_value = d.json_text(d.json_at(doc, "%s"))
            sql = (f"SELECT * FROM (SELECT %s AS name, r.rid AS rid, r.unit_name AS unit_name, "
                   f"CASE WHEN {own} THEN {own_value} END AS own, {comment} AS comment FROM {source} "
                   f"WHERE {own} OR {comment} IS NOT NULL ORDER BY r.rid LIMIT {TEXT_PAGE} OFFSET {int(offset)}) AS t")
            key, comment_key = d.path(q.name), d.path(q.name + "-Comment")
            params += ([q.name] + [key] * own.count("%s") + [key] + [comment_key] * comment.count("%s")
                       + source_params + [key] * own.count("%s") + [comment_key] * comment.count("%s"))
            parts.append(sql)
        if parts:
            by_name = {q.name: q for q in questions}
            # In response order per question (a UNION ALL keeps no order of its own); a
            # response's own answer before its comment.
            for name, _, unit_name, own, comment in sorted(_fetch(" UNION ALL ".join(parts), params),
                                                            key=lambda row: (row[0], row[1])):
                if own is not None:
                    texts[name].append((unit_name, _text_of(by_name[name], json.loads(own))))
                if comment is not None:
                    texts[name].append((unit_name, comment))
    return total, [_item(q, answered[q.name], counts[q.name], numbers.get(q.name), texts[q.name], pages.get(q.name))
                   for q in questions]


def _text_of(q, value):
    if q.type == "multipletext" and isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return str(value)


def _item(q, answered, counts, numbers, texts, text_page):
    """One question's figures in the shape the results page and the reports read."""
    item = {"question": q, "answered": answered, "kind": "text", "texts": texts, "text_page": text_page}
    if q.type == "matrix":
        item["kind"] = "matrix"
        item["matrix"] = [
            (label, [(clabel, counts.get(f"{r}\x00{c}", 0)) for c, clabel in q.columns]) for r, label in q.rows
        ]
        item["columns"] = [label for _, label in q.columns]
    elif counts or q.type in MULTI_TYPES or q.type in ("radiogroup", "dropdown", "boolean"):
        item["kind"] = "choices"
        if q.type == "boolean":
            options = [(q.raw.get("valueTrue", True), q.boolean_label(q.raw.get("valueTrue", True))),
                       (q.raw.get("valueFalse", False), q.boolean_label(q.raw.get("valueFalse", False)))]
        elif q.type == "rating":
            options = [(v, str(v)) for v in q.rating_values()]
        else:
            options = list(q.choices) + ([("other", q.choice_label("other"))] if q.has_other else []) + (
                [("none", q.choice_label("none"))] if q.has_none else [])
        base = answered or 1
        item["choices"] = [
            (label, counts.get(str(v), 0), round(100 * counts.get(str(v), 0) / base, 1)) for v, label in options
        ]
    if numbers:
        item["kind"] = "numbers" if item["kind"] == "text" else item["kind"]
        item["numbers"] = {
            "min": numbers["min"], "mean": round(numbers["sum"] / numbers["n"], 2), "median": numbers["median"],
            "max": numbers["max"], "n": numbers["n"],
            "sum": numbers["sum"],  # for reports to take the mean and round it their way
        }
    return item

"""A survey's results counted by the database, never by loading every response.

Per question: how many answered; choice counts (scalar answers and the elements of
checkbox / tagbox / ranking arrays); matrix row × column counts; number statistics (count,
sum, min, max, median); and one page of the free-text answers. Four queries whatever the
number of responses: the totals, text counts and number statistics; the choice and matrix
counts; the medians; one page of texts per question.

Every query starts from a *pivot* of the responses: one row per response, one column per
question holding that answer as JSON, so that each response's document is parsed (SQLite)
or detoasted (PostgreSQL) once per query, not once per question and figure. The JSON
functions differ between SQLite (`->`, json_type / json_extract / json_each) and PostgreSQL
(jsonb_to_record, jsonb_typeof / jsonb_array_elements / jsonb_each): those differences are
written once, in the two `Dialect` classes below; every query is built from them. Values
come back as JSON text and are decoded in Python, so a choice is keyed exactly as the
questionnaire's value is (str(value)), as the page always keyed it.
"""
import hashlib
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
# How long counted figures stay in the cache (they are also dropped by any change: fingerprint()).
RESULTS_CACHE_SECONDS = 24 * 3600
# Characters a comment made only of is blank (str.strip() of the usual cases, full-width space too).
BLANK = " \t\n\r\u3000"


class Dialect:
    """SQL over one answer `v`: a JSON value (NULL when the key is absent)."""

    def answered(self, v):
        """Something other than null, "", [] or {} (what the page counts as answered)."""
        return f"({v} NOT IN ('null', '\"\"', '[]', '{{}}'))"


class SQLiteDialect(Dialect):
    def at(self, doc, name):
        """The answer `name` of the JSON document `doc`, as JSON text (NULL when absent)."""
        path = '$."' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"({doc} -> {literal(path)})"

    def pivot(self, source, names):
        """One row per response (rid, unit_name, c0, c1, ...): answer i as JSON text. The
        LIMIT keeps SQLite from flattening the subquery, so `->` runs once per column."""
        columns = "".join(f", {self.at('r.doc', n)} AS c{i}" for i, n in enumerate(names))
        return f"(SELECT r.rid AS rid, r.unit_name AS unit_name{columns} FROM {source} LIMIT -1) AS p"

    # `v` is minified JSON text: its first character tells its type without parsing it again.
    def is_number(self, v):
        return f"(substr({v}, 1, 1) IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'))"

    def is_object(self, v):
        return f"(substr({v}, 1, 1) = '{{')"

    def is_array(self, v):
        return f"(substr({v}, 1, 1) = '[')"

    def number(self, v):
        """A JSON number's text + 0: SQLite reads 12 as an integer, 1.5 and 1e2 as reals."""
        return f"(CASE WHEN {self.is_number(v)} THEN {v} + 0 END)"

    def string(self, v):
        return f"(CASE WHEN substr({v}, 1, 1) = '\"' THEN json_extract({v}, '$') END)"

    def nonblank(self, text):
        return f"(TRIM({text}, '{BLANK}') <> '')"

    def json_text(self, v):
        return v

    def elements(self, v, matrix):
        """(FROM item, key, value as JSON text): a matrix's rows and their columns, else the
        elements of an array or the answer itself. A real keeps its own literal (`->`), so
        1.10 reads as Python reads it."""
        value = ("(CASE je.type WHEN 'text' THEN json_quote(je.value) WHEN 'true' THEN 'true' "
                 "WHEN 'false' THEN 'false' WHEN 'null' THEN 'null' "
                 f"WHEN 'real' THEN COALESCE({v} -> je.fullkey, json_quote(je.value)) "
                 "ELSE CAST(je.value AS TEXT) END)")
        return f"json_each({v}) AS je", "je.key" if matrix else "NULL", value


class PostgreSQLDialect(Dialect):
    def at(self, doc, name):
        return f"({doc} -> {literal(name)})"

    def pivot(self, source, names):
        """One row per response (rid, unit_name, c0, c1, ...): jsonb_to_record reads each
        document once (one detoast) and hands every answer out as a jsonb column."""
        quote = connection.ops.quote_name
        # A name longer than an identifier may be (63 bytes) is read with -> instead.
        fits = [n for n in names if len(n.encode()) <= 63] or names[:0]
        columns = "".join(f", x.{quote(n)} AS c{i}" if n in fits else f", {self.at('r.doc', n)} AS c{i}"
                          for i, n in enumerate(names))
        record = ", ".join(f"{quote(n)} jsonb" for n in fits) or '"-" jsonb'
        return (f"(SELECT r.rid AS rid, r.unit_name AS unit_name{columns} FROM {source} "
                f"CROSS JOIN LATERAL jsonb_to_record(r.doc) AS x({record})) AS p")

    def is_number(self, v):
        return f"(jsonb_typeof({v}) = 'number')"

    def is_object(self, v):
        return f"(jsonb_typeof({v}) = 'object')"

    def is_array(self, v):
        return f"(jsonb_typeof({v}) = 'array')"

    def number(self, v):
        return f"(CASE WHEN jsonb_typeof({v}) = 'number' THEN ({v})::numeric END)"

    def string(self, v):
        return f"(CASE WHEN jsonb_typeof({v}) = 'string' THEN {v} #>> '{{}}' END)"

    def nonblank(self, text):
        return f"(BTRIM({text}, '{BLANK}') <> '')"

    def json_text(self, v):
        return f"({v})::text"

    def elements(self, v, matrix):
        if matrix:
            return f"jsonb_each(CASE WHEN jsonb_typeof({v}) = 'object' THEN {v} END) AS je", "je.key", "(je.value)::text"
        array = f"(CASE WHEN jsonb_typeof({v}) = 'array' THEN {v} ELSE jsonb_build_array({v}) END)"
        return f"jsonb_array_elements({array}) AS je", "NULL", "(je.value)::text"


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


def literal(text):
    """`text` as an SQL string literal (for names read from the questionnaire; they pass
    NAME_RE when saved, quoted here all the same). `%` doubled for the driver's placeholders."""
    return "'" + str(text).replace("'", "''").replace("%", "%%") + "'"


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class Pivot:
    """The responses pivoted on the answers named `names`: column(name) is that answer."""

    def __init__(self, d, responses, names):
        source, self.params = _source(responses)
        self.names = list(dict.fromkeys(names))
        self.sql = d.pivot(source, self.names)
        self.index = {n: i for i, n in enumerate(self.names)}

    def column(self, name):
        return f"p.c{self.index[name]}"


def takes_comment(q):
    """Whether answers may hold "<name>-Comment": the question has (or, in an older version,
    had) an "other" item or a comment area; validation refuses such a key anywhere else."""
    return q.has_other or q.has_comment or getattr(q, "had_comment", False)


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


def _own_text(d, q, v):
    kind = own_text_kind(q)
    if kind == "never":
        return "(1 = 0)"
    if kind == "object":
        return f"({d.answered(v)} AND NOT {d.is_object(v)})"
    if kind == "number":
        return f"({d.answered(v)} AND NOT {d.is_number(v)})"
    return d.answered(v)


def _comment(d, v):
    """The comment ("other, please specify") if it is a non-blank string, else NULL."""
    text = d.string(v)
    return f"(CASE WHEN {d.nonblank(text)} THEN {text} END)"


def fingerprint(questions, responses, text_pages=None, with_texts=True):
    """(key, latest key, number of responses). The key changes whenever the figures could:
    the questions, which responses (the query, filters included), their number and their
    last change (one query answered from the index response_results_fingerprint), and which
    page of texts; a response added, reopened or edited moves the count or the last change
    (Response.updated_at). The latest key leaves out the number and the change: the last
    figures counted for the same page, whatever has arrived since."""
    from django.db.models import Count, Max

    state = responses.order_by().aggregate(n=Count("survey"), changed=Max("updated_at"))
    sql, params = responses.order_by().values("pk").query.sql_with_params()
    shape = json.dumps([[q.name, q.type, q.raw] for q in questions], sort_keys=True, default=str, ensure_ascii=False)
    page = json.dumps([sql, [str(p) for p in params], shape, sorted((text_pages or {}).items()), with_texts],
                      ensure_ascii=False)
    latest = "surveys:results:latest:" + hashlib.sha256(page.encode()).hexdigest()
    key = "surveys:results:" + hashlib.sha256(f"{page}|{state['n']}|{state['changed']}".encode()).hexdigest()
    return key, latest, state["n"]


class Results:
    """What the results page shows: total and items, and whether they are `fresh`, `stale`
    (counted before the latest responses; a recount is on the queue) or still `counting`."""

    def __init__(self, questions, figures, state, as_of=None, responses=0):
        self.state, self.as_of, self.responses = state, as_of, responses
        self.total, self.items = _assemble(questions, figures) if figures else (None, [])


def recount(questions, responses, text_pages=None, with_texts=True, keys=None):
    """Count afresh and keep the figures (under both keys of fingerprint()); returns them."""
    from django.core.cache import cache
    from django.utils import timezone

    key, latest, _ = keys or fingerprint(questions, responses, text_pages, with_texts)
    figures = _figures(questions, responses, text_pages, with_texts)
    as_of = timezone.now()
    cache.set_many({key: (figures, as_of), latest: (figures, as_of)}, RESULTS_CACHE_SECONDS)
    cache.delete(latest + ":counting")
    return figures


def cached_summarize(questions, responses, text_pages=None, with_texts=True, start_recount=None):
    """The figures, kept in the shared cache until a response is added, changed or reopened:
    a page seen again, by anyone on any server, costs one small query instead of a scan of
    every answer. Not cached: counted at once, unless there are more than
    SURVEY_RESULTS_INLINE_ROWS responses and `start_recount` is given: then it is called
    (once, whoever asks meanwhile) to count on the job queue, and the last figures counted
    are shown meanwhile (`stale`), or none yet (`counting`). Returns a Results."""
    from django.conf import settings
    from django.core.cache import cache

    keys = key, latest, n = fingerprint(questions, responses, text_pages, with_texts)
    kept = cache.get(key)
    if kept is not None:
        return Results(questions, kept[0], "fresh", kept[1], n)
    if start_recount is None or n <= settings.SURVEY_RESULTS_INLINE_ROWS:
        return Results(questions, recount(questions, responses, text_pages, with_texts, keys), "fresh", None, n)
    if cache.add(latest + ":counting", True, 600):  # one recount at a time; a failed one is retried after 10 min
        start_recount()
    last = cache.get(latest)
    if last is None:
        return Results(questions, None, "counting", None, n)
    return Results(questions, last[0], "stale", last[1], n)


def summarize(questions, responses, text_pages=None, with_texts=True):
    """(total, items) of the submitted `responses` (a queryset) for `questions`, as the results
    page shows them. `text_pages` maps a question name to the page of its texts to load
    (default 1); without texts (reports), the texts query is skipped."""
    return _assemble(questions, _figures(questions, responses, text_pages, with_texts))


def _assemble(questions, figures):
    total, answered, counts, numbers, texts, pages = figures
    return total, [_item(q, answered[q.name], counts[q.name], numbers.get(q.name), texts[q.name], pages.get(q.name))
                   for q in questions]


def _figures(questions, responses, text_pages, with_texts):
    """The figures as plain values (cacheable): total, answered, counts, numbers, texts, pages."""
    d = dialect()
    numeric = [q for q in questions if q.is_numeric]
    comment = {q.name: f"{q.name}-Comment" for q in questions}

    # 1. Totals, answered counts, text counts and number statistics: one scan.
    names = [q.name for q in questions] + ([comment[q.name] for q in questions if takes_comment(q)]
                                           if with_texts else [])
    pivot = Pivot(d, responses, names)
    columns = ["COUNT(*)"]
    for q in questions:
        v = pivot.column(q.name)
        columns.append(f"SUM(CASE WHEN {d.answered(v)} THEN 1 ELSE 0 END)")
        if with_texts:
            note = f" OR {_comment(d, pivot.column(comment[q.name]))} IS NOT NULL" if takes_comment(q) else ""
            columns.append(f"SUM(CASE WHEN {_own_text(d, q, v)}{note} THEN 1 ELSE 0 END)")
    for q in numeric:
        value = d.number(pivot.column(q.name))
        columns += [f"COUNT({value})", f"SUM({value})", f"MIN({value})", f"MAX({value})"]
    row = list(_fetch(f"SELECT {', '.join(columns)} FROM {pivot.sql}", pivot.params)[0])
    total = row.pop(0)
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
    counted = [q for q in questions if q.type in COUNTED_TYPES or q.type == "matrix"]
    if counted:
        pivot = Pivot(d, responses, [q.name for q in counted])
        parts = []
        for i, q in enumerate(counted):
            v = pivot.column(q.name)
            if q.type == "matrix":
                items_from, key, value = d.elements(v, True)
                parts.append(f"SELECT {i} AS q, {key} AS k, {value} AS v FROM p CROSS JOIN {items_from} "
                             f"WHERE {d.answered(v)} AND {d.is_object(v)}")
                continue
            # A single answer counts as itself; a list, each of its elements (objects: never a choice).
            items_from, key, value = d.elements(v, False)
            parts.append(f"SELECT {i} AS q, NULL AS k, {d.json_text(v)} AS v FROM p "
                         f"WHERE {d.answered(v)} AND NOT {d.is_object(v)} AND NOT {d.is_array(v)}")
            parts.append(f"SELECT {i} AS q, {key} AS k, {value} AS v FROM p CROSS JOIN {items_from} "
                         f"WHERE {d.answered(v)} AND {d.is_array(v)}")
        sql = (f"WITH p AS MATERIALIZED (SELECT * FROM {pivot.sql}) "
               f"SELECT q, k, v, COUNT(*) FROM ({' UNION ALL '.join(parts)}) AS e GROUP BY q, k, v")
        for i, row_key, value, n in _fetch(sql, pivot.params):
            value = json.loads(value)
            key = f"{row_key}\x00{value}" if row_key is not None else str(value)
            bucket = counts[counted[i].name]
            bucket[key] = bucket.get(key, 0) + n

    # 3. Medians: the middle one or two values of each number question, ranked by the database.
    if numbers:
        ranked = [q for q in numeric if q.name in numbers]
        pivot = Pivot(d, responses, [q.name for q in ranked])
        parts = []
        for i, q in enumerate(ranked):
            value = d.number(pivot.column(q.name))
            parts.append(f"SELECT * FROM (SELECT {i} AS q, v, ROW_NUMBER() OVER (ORDER BY v) AS rn, "
                         f"COUNT(*) OVER () AS n FROM (SELECT {value} AS v FROM p) AS a WHERE v IS NOT NULL) AS b "
                         f"WHERE rn IN ((n + 1) / 2, (n + 2) / 2)")
        sql = f"WITH p AS MATERIALIZED (SELECT * FROM {pivot.sql}) {' UNION ALL '.join(parts)}"
        middle = {}
        for i, value, _rn, _ in sorted(_fetch(sql, pivot.params), key=lambda row: (row[0], row[2])):
            middle.setdefault(ranked[i].name, []).append(plain_number(value))
        for name, values in middle.items():
            numbers[name]["median"] = values[0] if len(values) == 1 else (values[0] + values[1]) / 2

    # 4. One page of each question's texts (its own free answers and "other" comments),
    # in response order, a response's own answer before its comment.
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
        if wanted:
            source, source_params = _source(responses)
            parts, params = [], []
            for i, (q, offset) in enumerate(wanted):
                own_v, comment_v = d.at("r.doc", q.name), d.at("r.doc", comment[q.name])
                own, note = _own_text(d, q, own_v), _comment(d, comment_v) if takes_comment(q) else "NULL"
                # Read straight from the responses in their order, so the page stops early.
                parts.append(f"SELECT * FROM (SELECT {i} AS q, r.rid AS rid, r.unit_name AS unit_name, "
                             f"CASE WHEN {own} THEN {d.json_text(own_v)} END AS own, {note} AS note "
                             f"FROM {source} WHERE {own} OR {note} IS NOT NULL "
                             f"ORDER BY r.rid LIMIT {TEXT_PAGE} OFFSET {int(offset)}) AS t{i}")
                params += source_params
            for i, _, unit_name, own, note in sorted(_fetch(" UNION ALL ".join(parts), params),
                                                     key=lambda row: row[:2]):
                q = wanted[i][0]
                if own is not None:
                    texts[q.name].append((unit_name, _text_of(q, json.loads(own))))
                if note is not None:
                    texts[q.name].append((unit_name, note))
    return total, answered, counts, numbers, texts, pages


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

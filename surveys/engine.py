"""survey-core on the server: the verdict on answers is the browser's own.

The npm survey-core the respondent page runs (node_modules/survey-core, same version) is
loaded into an embedded V8 (`mini-racer`), with the same zh-cn strings and corrections, and
asked what the browser's "complete" would say. One engine per worker process, built on
first use (under a second on an idle machine) and used from one thread of its own, so calls
are serialised and never run inside a caller's asyncio loop; every call has a time limit,
so a runaway regex in a questionnaire stops after
settings.SURVEY_ENGINE_TIMEOUT_MS (V8 terminates the call; the engine stays usable).

Building survey-core's model of a questionnaire costs more than judging answers with it, so
the engine keeps one model per questionnaire (keyed by a hash of its JSON; a few dozen at
most, least recently used dropped) and resets it between respondents (surveys/engine.js;
tests/surveys/test_engine_cache.py compares every verdict with a fresh model's). A model
whose call was cut short is rebuilt; questionnaires with dynamic panels or matrices get a
fresh model every call (survey-core keeps their rows apart from their values).
"""
import hashlib
import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings

# Imported here, not lazily, so that its exit handlers are registered before ours (ours, which
# close the engine, must run first: an open isolate keeps the process from ending).
from py_mini_racer import JSEvalException, JSTimeoutException, MiniRacer

log = logging.getLogger(__name__)

CORE = Path(settings.BASE_DIR) / "node_modules" / "survey-core"
SOURCES = [
    CORE / "survey.core.min.js",
    CORE / "i18n" / "simplified-chinese.min.js",
    Path(settings.BASE_DIR) / "static" / "surveys" / "zh-cn-fixes.js",
    Path(__file__).with_name("engine.js"),
]


# Every supported question type once, to warm the engine up.
WARM_UP_SCHEMA = {"pages": [{"elements": [
    {"type": "text", "name": "t", "isRequired": True, "validators": [
        {"type": "expression", "expression": "age({d}) > 1 and {t} notempty"}, {"type": "regex", "regex": "^.+$"},
        {"type": "email"}, {"type": "text", "maxLength": 9}]},
    {"type": "text", "name": "n", "inputType": "number", "validators": [{"type": "numeric", "minValue": 0}]},
    {"type": "text", "name": "d", "inputType": "date", "maxValueExpression": "today()"},
    {"type": "comment", "name": "c", "visibleIf": "{n} > 1"},
    {"type": "radiogroup", "name": "r", "choices": [1, 2], "showOtherItem": True, "enableIf": "{n} < 5"},
    {"type": "dropdown", "name": "dd", "choices": [1, 2], "requiredIf": "{r} = 1"},
    {"type": "checkbox", "name": "cb", "choices": [1, 2], "showNoneItem": True,
     "validators": [{"type": "answercount", "maxCount": 2}]},
    {"type": "tagbox", "name": "tb", "choices": [1, 2]},
    {"type": "boolean", "name": "b", "labelTrue": "是", "labelFalse": "否"},
    {"type": "rating", "name": "rt"},
    {"type": "ranking", "name": "rk", "choices": [1, 2]},
    {"type": "matrix", "name": "m", "rows": ["a"], "columns": [1], "eachRowRequired": True},
    {"type": "multipletext", "name": "mt", "items": [{"name": "x", "isRequired": True}]},
    {"type": "matrixdropdown", "name": "md", "rows": ["a"], "columns": [{"name": "x", "isRequired": True}]},
    {"type": "matrixdynamic", "name": "my", "columns": [{"name": "x", "cellType": "text", "isRequired": True}]},
    {"type": "paneldynamic", "name": "p", "templateElements": [{"type": "text", "name": "x", "isRequired": True}]},
    {"type": "expression", "name": "e", "expression": "{n} * 2"},
    {"type": "panel", "name": "pn", "elements": [{"type": "text", "name": "pt"}]},
]}]}
WARM_UP_DATA = {"t": "x", "n": 3, "d": "2000-01-01", "c": "x", "r": "other", "dd": 1, "cb": [1], "tb": [2],
                "b": True, "rt": 3, "rk": [2, 1], "m": {"a": 1}, "mt": {"x": "1"}, "md": {"a": {"x": 1}},
                "my": [{"x": "1"}, {}], "p": [{"x": "1"}, {}], "pt": "x"}


class EngineTimeout(Exception):
    """survey-core did not answer within the time limit (e.g. a catastrophic regex)."""


class EngineError(Exception):
    """survey-core raised an error on this questionnaire or these answers."""


class _Engine:
    def __init__(self):
        self.pid = os.getpid()
        self.ctx = MiniRacer()
        for source in SOURCES:
            self.ctx.eval(source.read_text(encoding="utf-8"))
        # The first models built are many times slower (lazy setup, cold JIT): pay for that
        # here, without a time limit, rather than inside a respondent's limited call.
        warm = json.dumps(WARM_UP_SCHEMA)
        for data in ({}, WARM_UP_DATA):
            self.ctx.call("OutreachEngine.judge", warm, json.dumps(data))

    def call(self, function, *args, timeout_ms):
        try:
            return json.loads(self.ctx.call(function, *args, timeout=timeout_ms))
        except JSTimeoutException:
            raise EngineTimeout() from None
        except JSEvalException as exc:
            raise EngineError(str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__) from None

    def close(self):
        try:
            # A call stopped by its time limit answers V8's side later; one last plain call
            # runs after it, so that answer arrives while the context can still take it.
            self.ctx.eval("0")
            self.ctx.close()
        except Exception:  # closing a broken isolate must not hide the original problem
            log.exception("closing the survey engine failed")


_lock = threading.Lock()
_engine = None
_worker = None


def _get():
    global _engine
    if _engine is None or _engine.pid != os.getpid():  # a forked worker builds its own
        _engine = _Engine()
    return _engine


def _discard():
    global _engine
    if _engine is not None:
        _engine.close()
        _engine = None


def _executor():
    global _worker
    with _lock:
        if _worker is None or _worker[0] != os.getpid():
            _worker = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="survey-engine"))
        return _worker[1]


def call(function, *args, timeout_ms=None):
    """Call an OutreachEngine function (surveys/engine.js) with JSON-text arguments."""
    timeout_ms = timeout_ms or settings.SURVEY_ENGINE_TIMEOUT_MS
    return _executor().submit(lambda: _get().call(f"OutreachEngine.{function}", *args, timeout_ms=timeout_ms)).result()


def screen(pairs, timeout_ms=None):
    """Run each [pattern, caseInsensitive, [strings]] (pattern "@email": survey-core's e-mail
    pattern) under the short limit; EngineTimeout if one runs away."""
    return call("screen", json.dumps(pairs, ensure_ascii=False), timeout_ms=timeout_ms)


def schema_key(schema_text):
    """The engine's cache key of a questionnaire: a hash of its JSON text."""
    return hashlib.sha256(schema_text.encode("utf-8")).hexdigest()


def judge(schema, data, timeout_ms=None, key=None, fresh=False):
    """survey-core's verdict: {"valid", "errors": {name: [messages]}, "data" (when valid)}.
    Its limit is ten times the short one: patterns were screened first (`screen`), and the
    rest of survey-core's work is bounded by the questionnaire, checked when it was saved.

    The engine keeps one built model per questionnaire (`key`, by default a hash of the
    schema's JSON text; at most a few dozen, least recently used dropped) and resets it
    between calls; `fresh` builds a model for this call only."""
    timeout_ms = timeout_ms or 10 * settings.SURVEY_ENGINE_TIMEOUT_MS
    text = json.dumps(schema, ensure_ascii=False)
    key = "" if fresh else (key or schema_key(text))
    return call("judge", text, json.dumps(data, ensure_ascii=False), key, timeout_ms=timeout_ms)


def cache_info(limit=None):
    """{"size", "limit", "keys"} of the engine's model cache; `limit` sets its bound."""
    return call("cacheInfo", limit or 0)


def check_schema(schema, expressions, regexes, timeout_ms=None):
    """Build the model once and parse every expression and regex: {"errors", "questions"}.
    A coordinator's save, not a respondent's submit: it gets a longer limit."""
    timeout_ms = timeout_ms or 10 * settings.SURVEY_ENGINE_TIMEOUT_MS
    return call("checkSchema", json.dumps(schema, ensure_ascii=False), json.dumps(expressions, ensure_ascii=False),
                json.dumps(regexes, ensure_ascii=False), timeout_ms=timeout_ms)


def shutdown():
    """Close the engine on its own thread (an open isolate keeps the process from ending, and
    an isolate freed from another thread, or left to V8's teardown, can crash the exit)."""
    global _worker
    worker = _worker
    if worker is None or worker[0] != os.getpid():
        return
    try:
        worker[1].submit(_discard).result(timeout=30)
    except RuntimeError:  # the executor already stopped: its thread is gone, close from here
        _discard()
    worker[1].shutdown(wait=True)
    _worker = None


# Run before the interpreter joins its threads (concurrent.futures stops the engine's thread
# there, and those hooks run last-registered first, so ours comes before it); atexit is the
# fallback for an interpreter without that hook. A second call finds nothing to close.
import atexit  # noqa: E402

if hasattr(threading, "_register_atexit"):
    threading._register_atexit(shutdown)
atexit.register(shutdown)

"""survey-core on the server: the verdict on answers is the browser's own.

The npm survey-core the respondent page runs (node_modules/survey-core, same version) is
loaded into an embedded V8 (`mini-racer`), with the same zh-cn strings and corrections, and
asked what the browser's "complete" would say. One engine per worker process, built on
first use (about half a second) under a lock; calls are serialised on it and every call
has a time limit, so a runaway regex in a questionnaire stops after
settings.SURVEY_ENGINE_TIMEOUT_MS and the engine is rebuilt.
"""
import json
import logging
import os
import threading
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

CORE = Path(settings.BASE_DIR) / "node_modules" / "survey-core"
SOURCES = [
    CORE / "survey.core.min.js",
    CORE / "i18n" / "simplified-chinese.min.js",
    Path(settings.BASE_DIR) / "static" / "surveys" / "zh-cn-fixes.js",
    Path(__file__).with_name("engine.js"),
]


class EngineTimeout(Exception):
    """survey-core did not answer within the time limit (e.g. a catastrophic regex)."""


class EngineError(Exception):
    """survey-core raised an error on this questionnaire or these answers."""


class _Engine:
    def __init__(self):
        from py_mini_racer import MiniRacer

        self.pid = os.getpid()
        self.ctx = MiniRacer()
        for source in SOURCES:
            self.ctx.eval(source.read_text(encoding="utf-8"))
        # The first model built is several times slower (lazy setup, cold JIT): pay for it
        # here, without a time limit, rather than inside a respondent's limited call.
        self.ctx.eval("OutreachEngine.judge(JSON.stringify({elements: [{type: 'text', name: 'q', isRequired: true,"
                      " validators: [{type: 'expression', expression: 'age({q}) > 1'}]}]}), '{}')")

    def call(self, function, *args, timeout_ms):
        from py_mini_racer import JSEvalException, JSTimeoutException

        try:
            return json.loads(self.ctx.call(function, *args, timeout=timeout_ms))
        except JSTimeoutException:
            raise EngineTimeout() from None
        except JSEvalException as exc:
            raise EngineError(str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__) from None

    def close(self):
        try:
            self.ctx.close()
        except Exception:  # closing a broken isolate must not hide the original problem
            log.exception("closing the survey engine failed")


_lock = threading.Lock()
_engine = None


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


def call(function, *args, timeout_ms=None):
    """Call an OutreachEngine function (surveys/engine.js) with JSON-text arguments."""
    timeout_ms = timeout_ms or settings.SURVEY_ENGINE_TIMEOUT_MS
    with _lock:
        engine = _get()
        try:
            return engine.call(f"OutreachEngine.{function}", *args, timeout_ms=timeout_ms)
        except EngineTimeout:
            # A terminated isolate is not trusted again: the next call builds a fresh one.
            _discard()
            raise


def judge(schema, data, timeout_ms=None):
    """survey-core's verdict: {"valid", "errors": {name: [messages]}, "data" (when valid)}."""
    return call("judge", json.dumps(schema, ensure_ascii=False), json.dumps(data, ensure_ascii=False),
                timeout_ms=timeout_ms)


def check_schema(schema, expressions, regexes, timeout_ms=None):
    """Build the model once and parse every expression and regex: {"errors", "questions"}."""
    return call("checkSchema", json.dumps(schema, ensure_ascii=False), json.dumps(expressions, ensure_ascii=False),
                json.dumps(regexes, ensure_ascii=False), timeout_ms=timeout_ms)


def shutdown():
    """Close the engine (tests, and at exit: an open isolate keeps the process from ending)."""
    with _lock:
        _discard()


import atexit  # noqa: E402

atexit.register(shutdown)

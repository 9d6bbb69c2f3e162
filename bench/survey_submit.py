"""Survey submit throughput with the new validator (survey-core in the embedded V8) beside the
previous one (the Python evaluator, loaded from git history for this comparison only) and a
bare Django view, the validation time of a 100-question answer with both, and exports of
many responses (time and peak memory at two sizes).

A submit includes, after commit, turning the baseline's "pairingNeeds" answers into the
unit's pairing needs when the pairing app is installed.

Runs in-process with Django's test client on a throwaway database (bench/common.py: a fresh
SQLite file, or BENCH_DATABASE_URL), so both figures come from the same run on the same machine:

    .venv/bin/python bench/survey_submit.py [--submits 300]
"""
import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import machine, peak_memory, ratio, setup_django, timed  # noqa: E402

setup_django()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402


@require_POST
def bare(request):
    """The floor: a view that parses the same body and answers, touching no database."""
    json.loads(request.body)
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare/", bare), path("", include("config.urls"))]

from bench.national import BASELINE_ANSWERS  # noqa: E402


def hundred_question_schema():
    """100 questions of the supported kinds, a third of them behind a visibleIf."""
    elements = []
    for i in range(100):
        kind = i % 5
        q = {"name": f"q{i}", "title": f"第{i}题", "isRequired": i % 2 == 0}
        if kind == 0:
            q.update(type="text", inputType="number", validators=[{"type": "numeric", "minValue": 0, "maxValue": 1000}])
        elif kind == 1:
            q.update(type="checkbox", choices=[f"c{j}" for j in range(8)],
                     validators=[{"type": "answercount", "minCount": 1, "maxCount": 5}])
        elif kind == 2:
            q.update(type="radiogroup", choices=["a", "b", "c", "d"])
        elif kind == 3:
            q.update(type="text", validators=[{"type": "text", "minLength": 1, "maxLength": 200}])
        else:
            q.update(type="matrix", rows=["r1", "r2", "r3"], columns=[1, 2, 3])
        if i % 3 == 2:
            q["visibleIf"] = f"{{q{i - 2}}} notempty and ({{q{i - 1}}} anyof ['a', 'c1'] or {{q{i - 1}}} contains 'c2')"
        elements.append(q)
    schema = {"pages": [{"name": f"p{p}", "elements": elements[p * 20:(p + 1) * 20]} for p in range(5)]}
    answers = {}
    for q in elements:
        t = q["type"]
        answers[q["name"]] = (
            7 if q.get("inputType") == "number" else ["c1", "c2"] if t == "checkbox" else "a" if t == "radiogroup"
            else "一段回答" if t == "text" else {"r1": 1, "r2": 3}
        )
    return schema, answers


def export_memory(survey, body, n):
    """Export n/10 and then n responses to xlsx and csv: time and peak Python memory, which
    must not grow with the number of rows (exports stream and read in chunks)."""
    import tempfile

    from surveys import results
    from surveys.models import Response

    answers = json.loads(body)["answers"]
    version = survey.current_version
    lines = []
    done = survey.responses.count()
    for size in (n // 10, n):
        Response.objects.bulk_create(
            [Response(survey=survey, version=version, answers=answers, status=Response.Status.SUBMITTED)
             for _ in range(size - done)], batch_size=2000,
        )
        done = size
        responses = survey.responses.submitted()

        def to_csv(responses=responses):
            return sum(len(chunk) for chunk in results.csv_stream(results.export_rows(survey, responses)))

        def to_xlsx(responses=responses):
            with tempfile.TemporaryFile() as out:  # the file, not memory, holds the output
                results.write_xlsx(results.export_rows(survey, responses), out)
                return out.tell()

        for name, fn in (("csv", to_csv), ("xlsx", to_xlsx)):
            seconds, _ = timed(fn)  # untraced: tracemalloc slows Python down several times
            _, peak, _ = peak_memory(fn)
            lines.append(f"导出 {size:>6} 份答卷为 {name:<4}：{seconds:6.2f} s，{size / seconds:7.0f} 行/秒，"
                         f"Python 内存峰值 {peak / 1e6:5.1f} MB")
    return lines


# The commit before survey-core judged answers on the server: its surveys/validation.py and
# surveys/expressions.py are the previous validator.
PREVIOUS = "b561822"


def previous_validation():
    """The previous surveys.validation module, read from git history into a throwaway package
    (the repository no longer carries it), or None when git or the commit is not available."""
    folder = Path(tempfile.mkdtemp(prefix="bench-previous-"))
    package = folder / "previous_surveys"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name in ("validation.py", "expressions.py"):
        try:
            text = subprocess.run(["git", "show", f"{PREVIOUS}:surveys/{name}"], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
        (package / name).write_text(text)
    sys.path.insert(0, str(folder))
    return importlib.import_module("previous_surveys.validation")


def rate(client, url, body, n):
    start = time.perf_counter()
    for i in range(n):
        r = client.post(url(i), data=body, content_type="application/json")
        assert r.status_code == 200, r.content
    return n / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submits", type=int, default=300)
    parser.add_argument("--export", type=int, default=20000, help="responses in the larger export run")
    args = parser.parse_args()
    n = args.submits

    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    from campaigns.models import Unit
    from surveys import services
    from surveys.demo import BASELINE_FIXTURE
    from surveys.models import Survey
    from surveys.validation import Questionnaire, validate_answers
    from tests.factories import make_campaign, make_unit

    campaign = make_campaign()
    schema = json.loads(BASELINE_FIXTURE.read_text(encoding="utf-8"))["schema"]
    survey = services.create_survey(campaign, "基准问卷", schema, status=Survey.Status.OPEN)
    units = [make_unit(kind=Unit.Kind.PREFECTURE_BUREAU) for _ in range(n)]
    tokens = [inv.token for inv in services.invite_units(survey, units)]
    body = json.dumps({"answers": BASELINE_ANSWERS}, ensure_ascii=False)

    client = Client()
    rate(client, lambda i: "/bench/bare/", body, 20)  # warm up
    bare_rate = rate(client, lambda i: "/bench/bare/", body, n)
    half = n // 2
    submit_rate = rate(client, lambda i: f"/surveys/r/{tokens[i]}/submit/", body, half)

    # The same submits through the previous validator: services.validate_answers swapped for
    # the old module's (the view, the transaction and the writes are the same code).
    old = previous_validation()
    old_rate = None
    if old is not None:
        old_questionnaire = old.Questionnaire(schema)
        new_validate = services.validate_answers
        services.validate_answers = lambda _q, answers, complete=True: old.validate_answers(
            old_questionnaire, answers, complete=complete)
        try:
            old_rate = rate(client, lambda i: f"/surveys/r/{tokens[half + i]}/submit/", body, n - half)
        finally:
            services.validate_answers = new_validate
    assert survey.responses.submitted().count() == (n if old is not None else half)

    big_schema, big_answers = hundred_question_schema()
    start = time.perf_counter()
    questionnaire = Questionnaire(big_schema)
    build_ms = (time.perf_counter() - start) * 1000
    reps = 10
    start = time.perf_counter()
    for _ in range(reps):
        validate_answers(questionnaire, big_answers)
    validate_ms = (time.perf_counter() - start) * 1000 / reps
    old_validate_ms = None
    if old is not None:
        old_big = old.Questionnaire(big_schema)
        start = time.perf_counter()
        for _ in range(reps):
            old.validate_answers(old_big, big_answers)
        old_validate_ms = (time.perf_counter() - start) * 1000 / reps

    export_lines = export_memory(survey, body, args.export)

    print(machine())
    print(f"数据库：{connection.vendor}；空视图 {n} 次，两种校验各 {half} 次提交（Django 测试客户端，同一进程）")
    print(f"  空视图（解析同样的 JSON）                 {bare_rate:8.1f} 次/秒")
    print(f"  问卷提交，新校验（survey-core，嵌入 V8） {submit_rate:8.1f} 次/秒（空视图的 {ratio(submit_rate, bare_rate)}）")
    if old_rate is not None:
        print(f"  问卷提交，旧校验（Python 表达式求值）  {old_rate:8.1f} 次/秒（空视图的 {ratio(old_rate, bare_rate)}）")
    else:
        print("  问卷提交，旧校验：无法从 git 历史读取，未测")
    print(f"100 题答卷：检查问卷定义 {build_ms:.1f} ms（每个版本一次，已缓存）；校验一份答卷：新 {validate_ms:.1f} ms"
          + (f"，旧 {old_validate_ms:.2f} ms" if old_validate_ms is not None else ""))
    for line in export_lines:
        print(line)


if __name__ == "__main__":
    main()

"""Survey submit throughput beside a bare Django view's, the validation time of a 100-question
answer, and exports of many responses (time and peak memory at two sizes).

A submit includes, after commit, turning the baseline's "pairingNeeds" answers into the
unit's pairing needs when the pairing app is installed.

Runs in-process with Django's test client on a throwaway database (bench/common.py: a fresh
SQLite file, or BENCH_DATABASE_URL), so both figures come from the same run on the same machine:

    .venv/bin/python bench/survey_submit.py [--submits 300]
"""
import argparse
import json
import sys
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
    submit_rate = rate(client, lambda i: f"/surveys/r/{tokens[i]}/submit/", body, n)
    assert survey.responses.submitted().count() == n

    big_schema, big_answers = hundred_question_schema()
    start = time.perf_counter()
    questionnaire = Questionnaire(big_schema)
    build_ms = (time.perf_counter() - start) * 1000
    reps = 200
    start = time.perf_counter()
    for _ in range(reps):
        validate_answers(questionnaire, big_answers)
    validate_ms = (time.perf_counter() - start) * 1000 / reps

    export_lines = export_memory(survey, body, args.export)

    print(machine())
    print(f"数据库：{connection.vendor}；每项 {n} 次请求（Django 测试客户端，同一进程）")
    print(f"  空视图（解析同样的 JSON）      {bare_rate:8.0f} 次/秒")
    print(f"  问卷提交（校验 + 写入答卷）    {submit_rate:8.0f} 次/秒  （空视图的 {ratio(submit_rate, bare_rate)}）")
    print(f"100 题答卷：解析问卷定义 {build_ms:.1f} ms（每个版本一次，已缓存），校验一份答卷 {validate_ms:.2f} ms")
    for line in export_lines:
        print(line)


if __name__ == "__main__":
    main()

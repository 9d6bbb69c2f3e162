"""Survey submit throughput beside a bare view that does one INSERT (issue 17: a submit is
one short transaction; its target is at least 0.5× that view), a bare view without any
database work, and (optionally) the previous Python validator; the judging time of one
answer on survey-core's cached model and on a model built for the call; exports of many
responses (time and peak memory at two sizes).

A submit of the shipped baseline questionnaire: the view reads the invitation, survey-core
judges the answers in the embedded V8, one transaction marks the invitation and inserts the
response, and after commit pairing's listener queues the job that turns the answers into
needs (the job itself is not run here: it is the queue's work, not the request's).

Runs in-process with Django's test client on a throwaway database (bench/common.py: a fresh
SQLite file, or BENCH_DATABASE_URL); the three views are measured in alternating rounds, so
their figures come from the same minutes on the same machine:

    .venv/bin/python bench/survey_submit.py [--submits 300] [--export 20000] [--previous] [--without-needs]
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


INSERT_INTO = {}


@require_POST
def bare_insert(request):
    """The yardstick of issue 17: parse the same body and INSERT it as one response row."""
    from surveys.models import Response

    answers = json.loads(request.body)["answers"]
    Response.objects.create(answers=answers, status=Response.Status.SUBMITTED, **INSERT_INTO)
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare/", bare), path("bench/insert/", bare_insert), path("", include("config.urls"))]

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


def side_by_side(client, views, body, n, rounds=5):
    """Requests per second of each (name, url(i)) view, measured in `rounds` alternating
    rounds of n/rounds requests each (a noisy machine slows all of them alike)."""
    spent = {name: 0.0 for name, _ in views}
    per_round = n // rounds
    for r in range(rounds):
        for name, url in views:
            start = time.perf_counter()
            for i in range(r * per_round, (r + 1) * per_round):
                response = client.post(url(i), data=body, content_type="application/json")
                assert response.status_code == 200, response.content
            spent[name] += time.perf_counter() - start
    return {name: per_round * rounds / seconds for name, seconds in spent.items()}


def queries_of_one_submit(client, url, body):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.post(url, data=body, content_type="application/json").status_code == 200
    return [q["sql"].split(" ")[0] for q in captured.captured_queries]


def judge_ms(schema, answers, fresh, reps=10):
    from surveys import engine

    engine.judge(schema, answers, fresh=fresh)
    start = time.perf_counter()
    for _ in range(reps):
        engine.judge(schema, answers, fresh=fresh)
    return (time.perf_counter() - start) * 1000 / reps


def validate_step_ms(schema, answers, reps=100):
    """survey-core's own validate() alone, on a model already holding the answers: the part
    of a verdict no reset, data setting or completion can take away (measured inside V8, on
    the engine's thread, so no Python or thread hop is counted)."""
    from surveys import engine

    model, data = json.dumps(schema, ensure_ascii=False), json.dumps(answers, ensure_ascii=False)
    script = (
        f"(function () {{ var s = new Survey.Model({model}); s.locale = 'zh-cn'; s.data = {data};"
        f" s.validate(true, false); var t = Date.now();"
        f" for (var i = 0; i < {reps}; i += 1) {{ s.validate(true, false); }}"
        f" return (Date.now() - t) / {reps}; }})()"
    )
    # The engine's private thread and context: a measurement, not a product call.
    return float(engine._executor().submit(lambda: engine._get().ctx.eval(script)).result())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submits", type=int, default=300)
    parser.add_argument("--export", type=int, default=20000, help="responses in the larger export run (0: none)")
    parser.add_argument("--previous", action="store_true", help="also submit through the previous Python validator")
    parser.add_argument("--without-needs", action="store_true",
                        help="disconnect pairing's listener (no job queued after the submit), to see its share")
    args = parser.parse_args()
    n = args.submits

    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    from campaigns.models import Unit
    from pairing.services import ensure_vocabularies
    from surveys import services
    from surveys.demo import BASELINE_FIXTURE
    from surveys.models import Survey
    from surveys.validation import Questionnaire, validate_answers
    from tests.factories import make_campaign, make_unit

    ensure_vocabularies()
    if args.without_needs:
        from surveys.signals import response_stored

        response_stored.disconnect(dispatch_uid="pairing.apply_baseline_needs")
    campaign = make_campaign()
    schema = json.loads(BASELINE_FIXTURE.read_text(encoding="utf-8"))["schema"]
    survey = services.create_survey(campaign, "基准问卷", schema, status=Survey.Status.OPEN)
    INSERT_INTO.update(survey=survey, version=survey.current_version)
    units = [make_unit(kind=Unit.Kind.PREFECTURE_BUREAU) for _ in range(2 * n + 2)]
    tokens = [inv.token for inv in services.invite_units(survey, units)]
    body = json.dumps({"answers": BASELINE_ANSWERS}, ensure_ascii=False)

    client = Client()
    # Warm up: URLs resolved, the version's questionnaire checked and its model built once.
    rate(client, lambda i: "/bench/bare/", body, 20)
    rate(client, lambda i: "/bench/insert/", body, 20)
    submit_url = lambda i: f"/surveys/r/{tokens[i]}/submit/"  # noqa: E731
    rate(client, submit_url, body, 2)
    statements = queries_of_one_submit(client, submit_url(2), body)
    rates = side_by_side(client, [
        ("bare", lambda i: "/bench/bare/"),
        ("insert", lambda i: "/bench/insert/"),
        ("submit", lambda i: submit_url(3 + i)),
    ], body, n)
    bare_rate, insert_rate, submit_rate = rates["bare"], rates["insert"], rates["submit"]

    # The same submits through the previous validator: services.validate_answers swapped for
    # the old module's (the view, the transaction and the writes are the same code).
    old = previous_validation() if args.previous else None
    old_rate = None
    if old is not None:
        old_questionnaire = old.Questionnaire(schema)
        new_validate = services.validate_answers
        services.validate_answers = lambda _q, answers, complete=True: old.validate_answers(
            old_questionnaire, answers, complete=complete)
        try:
            old_rate = rate(client, lambda i: submit_url(3 + n + i), body, n // 2)
        finally:
            services.validate_answers = new_validate

    baseline_cached = judge_ms(schema, BASELINE_ANSWERS, fresh=False)
    baseline_fresh = judge_ms(schema, BASELINE_ANSWERS, fresh=True)
    baseline_validate = validate_step_ms(schema, BASELINE_ANSWERS)
    big_schema, big_answers = hundred_question_schema()
    start = time.perf_counter()
    questionnaire = Questionnaire(big_schema)
    build_ms = (time.perf_counter() - start) * 1000
    reps = 10
    validate_answers(questionnaire, big_answers)
    start = time.perf_counter()
    for _ in range(reps):
        validate_answers(questionnaire, big_answers)
    validate_ms = (time.perf_counter() - start) * 1000 / reps
    big_fresh = judge_ms(big_schema, big_answers, fresh=True, reps=3)

    export_lines = export_memory(survey, body, args.export) if args.export else []

    target = ratio(submit_rate, insert_rate)
    print(machine())
    print(f"数据库：{connection.vendor}；三种请求交替各 {n} 次（Django 测试客户端，同一进程），"
          "摸底问卷（fixtures/baseline_survey.json）")
    print(f"  空视图（解析同样的 JSON）                   {bare_rate:8.1f} 次/秒")
    print(f"  空视图 + 写入一行答卷（一条 INSERT）         {insert_rate:8.1f} 次/秒")
    print(f"  问卷提交（survey-core 校验 + 一个短事务）    {submit_rate:8.1f} 次/秒"
          f"（写入一行的 {target}，空视图的 {ratio(submit_rate, bare_rate)}）")
    met = submit_rate >= 0.5 * insert_rate
    print(f"  目标：提交 ≥ 0.5× 空视图 + INSERT —— {'达到' if met else '未达到'}"
          + ("" if met else f"（差 {0.5 * insert_rate / submit_rate:.1f} 倍）"))
    print(f"  一次提交的 SQL 语句：{len(statements)} 条（{' '.join(statements)}）"
          + ("（未连接帮扶需求的监听，不排队任务）" if args.without_needs else "（含提交后放入队列的任务）"))
    if old_rate is not None:
        print(f"  问卷提交，旧校验（Python 表达式求值）     {old_rate:8.1f} 次/秒"
              f"（写入一行的 {ratio(old_rate, insert_rate)}）")
    print(f"survey-core 判一份摸底答卷：复用缓存的模型 {baseline_cached:.1f} ms，每次新建模型 {baseline_fresh:.1f} ms；"
          f"其中 survey-core 自身 validate() 一步 {baseline_validate:.2f} ms")
    # What the target leaves for a whole submit, beside what survey-core's verdict alone costs.
    budget = 2 * 1000 / insert_rate
    print(f"  目标留给整次提交的时间：{budget:.2f} ms（写入一行用时的 2 倍）；服务器端 survey-core 判定一份答卷"
          f" {baseline_cached:.1f} ms，{'在其内' if baseline_cached <= budget else '已超出'}"
          + ("" if baseline_cached <= budget else
             f"；仅 validate() 一步即占 {baseline_validate / budget:.0%}（同步判定下目标不可达）"))
    print(f"100 题答卷：检查问卷定义 {build_ms:.1f} ms（每个版本一次，已缓存）；"
          f"校验一份答卷：复用模型 {validate_ms:.1f} ms，每次新建模型 {big_fresh:.1f} ms")
    for line in export_lines:
        print(line)


if __name__ == "__main__":
    main()

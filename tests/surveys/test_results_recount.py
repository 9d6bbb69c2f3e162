"""The results page's figures, counted by the database, recounted here from the stored
answers one response at a time: a varied questionnaire, a few dozen responses, the unit
filter, paged texts, and a number of queries that does not depend on how many responses."""
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Unit
from surveys import aggregate, services
from surveys.models import Response, Survey
from tests.factories import make_unit

SCHEMA = {"pages": [{"name": "p1", "elements": [
    {"type": "text", "name": "staff", "title": "人员数", "inputType": "number"},
    {"type": "text", "name": "budget", "title": "经费（万元）", "inputType": "number"},
    {"type": "checkbox", "name": "services", "title": "已开展服务", "choices": ["检索分析", "专利导航", "培训"],
     "showOtherItem": True, "showNoneItem": True},
    {"type": "tagbox", "name": "industries", "title": "重点产业",
     "choices": [{"value": 1, "text": "盐湖化工"}, {"value": 2, "text": "新能源"}, {"value": 3, "text": "生态旅游"}]},
    {"type": "radiogroup", "name": "level", "title": "自评", "showOtherItem": True,
     "choices": [{"value": "low", "text": "弱"}, {"value": "high", "text": "强"}]},
    {"type": "dropdown", "name": "city", "title": "所在地", "choices": ["西宁", "海东", "格尔木"]},
    {"type": "boolean", "name": "has_tisc", "title": "是否有TISC", "labelTrue": "有", "labelFalse": "没有"},
    {"type": "rating", "name": "satisfaction", "title": "满意度", "rateMin": 1, "rateMax": 5},
    {"type": "matrix", "name": "ability", "title": "能力", "rows": ["检索", "维权", "运营"],
     "columns": [{"value": 1, "text": "薄弱"}, {"value": 2, "text": "一般"}, {"value": 3, "text": "较好"}]},
    {"type": "multipletext", "name": "contact", "title": "联系人", "items": [{"name": "who", "title": "姓名"},
                                                                            {"name": "tel", "title": "电话"}]},
    {"type": "comment", "name": "note", "title": "说明"},
    {"type": "text", "name": "never", "title": "无人回答的题"},
]}]}
CITIES = ["西宁", "海东", "格尔木"]


def stored_answers(i, rng):
    """A response's answers: some questions skipped, some empty, "other" with and without text."""
    a = {}
    if i % 7:
        a["staff"] = rng.randint(0, 40)
    if i % 5 == 0:
        a["staff"] = ""  # an empty answer is not an answer
    if i % 3:
        a["budget"] = rng.choice([1.5, 2.25, 10, 0.5, 7])
    if i % 4:
        pick = rng.sample(["检索分析", "专利导航", "培训", "other"], rng.randint(1, 3))
        a["services"] = pick
        if "other" in pick and i % 2:
            a["services-Comment"] = f"地理标志培育{i}"
        elif "other" in pick:
            a["services-Comment"] = "   "  # blank: not listed
    elif i % 8 == 0:
        a["services"] = ["none"]
    elif i % 12 == 4:
        a["services"] = []
    if i % 6 != 5:
        a["industries"] = rng.sample([1, 2, 3], rng.randint(1, 2))
    if i % 9:
        a["level"] = "other" if i % 10 == 3 else rng.choice(["low", "high"])
        if a["level"] == "other":
            a["level-Comment"] = "中等偏上"
    a["city"] = CITIES[i % 3]
    if i % 11:
        a["has_tisc"] = bool(i % 2)
    if i % 4 != 1:
        a["satisfaction"] = rng.randint(1, 5)
    if i % 5:
        a["ability"] = {row: rng.randint(1, 3) for row in rng.sample(["检索", "维权", "运营"], rng.randint(1, 3))}
    if i % 6 == 0:
        a["contact"] = {"who": f"联系人{i}", "tel": f"0971-{i:04d}"}
    if i % 2:
        a["note"] = f"第{i}份的说明"
    elif i % 4 == 0:
        a["note"] = None
    return a


@pytest.fixture
def varied(db, survey_world):
    office = survey_world.office
    survey = services.create_survey(survey_world.campaign, "产业调研", SCHEMA, task=survey_world.task,
                                    status=Survey.Status.OPEN)
    units = [make_unit(name=f"第{n}市市场监管局", kind=Unit.Kind.PREFECTURE_BUREAU, ordinal=10 + n) for n in range(5)]
    services.invite_units(survey, units)
    version = survey.current_version
    rng = random.Random(17)
    Response.objects.bulk_create([
        Response(survey=survey, version=version, unit=units[i % 5], answers=stored_answers(i, rng),
                 status=Response.Status.SUBMITTED, submitted_at=timezone.now())
        for i in range(40)
    ] + [Response(survey=survey, version=version, unit=units[0], answers={"staff": 999, "note": "草稿不计"},
                  status=Response.Status.DRAFT)])
    return type("Varied", (), {"survey": survey, "units": units, "office": office,
                               "coordinator": survey_world.coordinator})


def recount(survey, unit=None):
    """Each question's figures from the stored answers, one response at a time."""
    responses = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED).order_by("pk")
    if unit is not None:
        responses = responses.filter(unit=unit)
    rows = [(r.answers, r.unit.name) for r in responses.select_related("unit")]

    def given(name):
        return [a[name] for a, _ in rows if name in a and a[name] is not None and a[name] != "" and a[name] != []
                and a[name] != {}]

    def elements(name):
        out = []
        for value in given(name):
            out.extend(value if isinstance(value, list) else [value])
        return out

    def numbers(name):
        values = [v for v in given(name) if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if not values:
            return None
        ordered = sorted(values)
        middle = len(ordered) // 2
        median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        return {"n": len(values), "min": min(values), "max": max(values), "median": median,
                "mean": sum(values) / len(values)}

    def comments(name):
        return [(unit, a[f"{name}-Comment"]) for a, unit in rows
                if isinstance(a.get(f"{name}-Comment"), str) and a[f"{name}-Comment"].strip()]

    cells = {}
    for value in given("ability"):
        for row, col in value.items():
            cells[(row, col)] = cells.get((row, col), 0) + 1
    return {
        "total": len(rows),
        "answered": {name: len(given(name)) for name in [
            "staff", "budget", "services", "industries", "level", "city", "has_tisc", "satisfaction", "ability",
            "contact", "note", "never"]},
        "services": {v: elements("services").count(v) for v in ["检索分析", "专利导航", "培训", "other", "none"]},
        "industries": {v: elements("industries").count(v) for v in [1, 2, 3]},
        "level": {v: elements("level").count(v) for v in ["low", "high", "other"]},
        "city": {v: elements("city").count(v) for v in CITIES},
        "has_tisc": {v: [x is v for x in given("has_tisc")].count(True) for v in [True, False]},
        "satisfaction": {v: elements("satisfaction").count(v) for v in range(1, 6)},
        "staff": numbers("staff"), "budget": numbers("budget"), "satisfaction_numbers": numbers("satisfaction"),
        "ability": cells,
        "services_comments": comments("services"), "level_comments": comments("level"),
        "notes": [(unit, a["note"]) for a, unit in rows if a.get("note")],
        # in the order the database keeps the keys (PostgreSQL's jsonb sorts them)
        "contacts": [(unit, "；".join(f"{key}：{a['contact'][key]}" for key in a["contact"])) for a, unit in rows
                     if a.get("contact")],
    }


def check_page(page, expected):
    items = {i["question"].name: i for i in page.context["items"]}
    assert page.context["total"] == expected["total"]
    assert {name: items[name]["answered"] for name in expected["answered"]} == expected["answered"]

    def counts(name, labels):
        return {value: dict((label, n) for label, n, _ in items[name]["choices"])[label] for value, label in labels}

    assert counts("services", [("检索分析", "检索分析"), ("专利导航", "专利导航"), ("培训", "培训"), ("other", "其他"),
                               ("none", "无")]) == expected["services"]
    assert counts("industries", [(1, "盐湖化工"), (2, "新能源"), (3, "生态旅游")]) == expected["industries"]
    assert counts("level", [("low", "弱"), ("high", "强"), ("other", "其他")]) == expected["level"]
    assert counts("city", [(c, c) for c in CITIES]) == expected["city"]
    assert counts("has_tisc", [(True, "有"), (False, "没有")]) == expected["has_tisc"]
    assert counts("satisfaction", [(v, str(v)) for v in range(1, 6)]) == expected["satisfaction"]
    for name in ("services", "level", "city", "satisfaction"):
        base = items[name]["answered"]
        for _, n, share in items[name]["choices"]:
            assert share == pytest.approx(100 * n / base, abs=0.05)
    for name, key in (("staff", "staff"), ("budget", "budget"), ("satisfaction", "satisfaction_numbers")):
        shown, want = items[name].get("numbers"), expected[key]
        if want is None:
            assert shown is None, name
            continue
        assert (shown["n"], shown["min"], shown["max"], shown["median"]) == (
            want["n"], want["min"], want["max"], want["median"]), name
        assert shown["mean"] == pytest.approx(want["mean"], abs=0.005)
        assert type(shown["min"]) is type(want["min"]) and type(shown["max"]) is type(want["max"])
    rows = dict((label, dict(cells)) for label, cells in items["ability"]["matrix"])
    assert {(row, value): rows[row][label] for row in ["检索", "维权", "运营"]
            for value, label in [(1, "薄弱"), (2, "一般"), (3, "较好")]} == {
        (row, value): expected["ability"].get((row, value), 0) for row in ["检索", "维权", "运营"] for value in (1, 2, 3)}
    assert items["services"]["texts"] == expected["services_comments"][:aggregate.TEXT_PAGE]
    assert items["level"]["texts"] == expected["level_comments"][:aggregate.TEXT_PAGE]
    assert items["note"]["texts"] == expected["notes"][:aggregate.TEXT_PAGE]
    assert items["contact"]["texts"] == expected["contacts"][:aggregate.TEXT_PAGE]
    assert items["never"]["answered"] == 0 and items["never"]["texts"] == []
    return items


def test_every_figure_matches_a_recount_of_the_stored_answers(login, varied):
    client = login(varied.coordinator)
    page = client.get(reverse("surveys:results", args=[varied.survey.pk]))
    expected = recount(varied.survey)
    assert expected["total"] == 40 and expected["answered"]["services"] < 40 and expected["services"]["other"]
    items = check_page(page, expected)
    body = page.content.decode()
    assert "地理标志培育1" in body and "草稿不计" not in body
    assert items["staff"]["numbers"]["n"] < expected["total"]  # skipped and empty answers are not numbers


@pytest.mark.parametrize("which", range(5))
def test_the_figures_of_one_unit_match_its_recount(login, varied, which):
    unit = varied.units[which]
    page = login(varied.coordinator).get(reverse("surveys:results", args=[varied.survey.pk]), {"unit": unit.pk})
    assert page.context["selected"] == unit.pk
    check_page(page, recount(varied.survey, unit))


def test_texts_come_one_page_at_a_time(login, varied, monkeypatch):
    monkeypatch.setattr(aggregate, "TEXT_PAGE", 6)
    client = login(varied.coordinator)
    url = reverse("surveys:results", args=[varied.survey.pk])
    notes = recount(varied.survey)["notes"]
    assert len(notes) == 20
    first = {i["question"].name: i for i in client.get(url).context["items"]}
    assert first["note"]["texts"] == notes[:6]
    assert first["note"]["text_page"] == {"page": 1, "pages": 4, "count": 20, "first": 1, "last": 6}
    page = client.get(url, {"texts": "note", "page": "4"})
    items = {i["question"].name: i for i in page.context["items"]}
    assert items["note"]["texts"] == notes[18:20]
    assert items["services"]["texts"] == recount(varied.survey)["services_comments"][:6]  # others stay on page 1
    assert "下一页" in page.content.decode() or items["services"]["text_page"]["pages"] == 1
    # a page past the end shows the last one; a page that is not a number is ignored
    assert {i["question"].name: i for i in client.get(url, {"texts": "note", "page": "99"}).context["items"]}[
        "note"]["texts"] == notes[18:20]
    assert {i["question"].name: i for i in client.get(url, {"texts": "note", "page": "x"}).context["items"]}[
        "note"]["texts"] == notes[:6]


def test_counting_takes_the_same_few_queries_for_40_or_400_responses(varied, django_assert_max_num_queries):
    from surveys.results import survey_questions

    questions = survey_questions(varied.survey)
    submitted = Response.objects.submitted().filter(survey=varied.survey)
    with django_assert_max_num_queries(4):
        total, _ = aggregate.summarize(questions, submitted)
    assert total == 40
    rows = list(Response.objects.filter(pk__in=submitted.values("pk")).values("answers", "unit_id", "version_id"))
    Response.objects.bulk_create([Response(survey=varied.survey, status=Response.Status.SUBMITTED, **{
        "answers": r["answers"], "unit_id": r["unit_id"], "version_id": r["version_id"]}) for r in rows * 9])
    with django_assert_max_num_queries(4):
        total, items = aggregate.summarize(questions, submitted)
    assert total == 400
    staff = {i["question"].name: i for i in items}["staff"]["numbers"]
    assert staff["n"] == recount(varied.survey)["staff"]["n"]


def test_statistics_of_a_handful_of_numbers_worked_by_hand(login, varied):
    """Medians of an even count take the mean of the middle two; integers stay integers."""
    survey = services.create_survey(varied.survey.campaign, "小问卷", SCHEMA, status=Survey.Status.OPEN)
    version = survey.current_version
    Response.objects.bulk_create([
        Response(survey=survey, version=version, answers=a, status=Response.Status.SUBMITTED)
        for a in [{"staff": 3, "budget": 1.5}, {"staff": 10, "budget": 2.25}, {"staff": 4}, {"staff": 7, "budget": "很多"}]
    ])
    page = login(varied.coordinator).get(reverse("surveys:results", args=[survey.pk]))
    items = {i["question"].name: i for i in page.context["items"]}
    assert items["staff"]["numbers"] == {"min": 3, "max": 10, "median": 5.5, "mean": 6.0, "n": 4, "sum": 24}
    assert items["budget"]["numbers"] == {"min": 1.5, "max": 2.25, "median": 1.875, "mean": 1.88, "n": 2, "sum": 3.75}
    assert items["budget"]["texts"] == [(None, "很多")]  # a word where a number was asked is listed, not counted
    assert "中位数 5.5" in page.content.decode()


def test_a_page_seen_again_comes_from_the_cache_until_a_response_changes(login, varied):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    client = login(varied.coordinator)
    url = reverse("surveys:results", args=[varied.survey.pk])
    with CaptureQueriesContext(connection) as first:
        before = client.get(url).context["total"]
    with CaptureQueriesContext(connection) as again:
        page = client.get(url)
    assert page.context["total"] == before == 40
    check_page(page, recount(varied.survey))
    assert len(again) == len(first) - 4  # the four counting queries, skipped
    # a new response, and one reopened, show at once
    Response.objects.create(survey=varied.survey, version=varied.survey.current_version, unit=varied.units[1],
                            answers={"staff": 1000, "city": "海东"}, status=Response.Status.SUBMITTED)
    page = client.get(url)
    check_page(page, recount(varied.survey))
    assert page.context["total"] == 41
    reopened = Response.objects.filter(survey=varied.survey, status=Response.Status.SUBMITTED).first()
    reopened.status = Response.Status.REOPENED
    reopened.save()
    page = client.get(url)
    assert page.context["total"] == 40
    check_page(page, recount(varied.survey))
    # another unit's filter, and another page of texts, are figures of their own
    unit_page = client.get(url, {"unit": varied.units[2].pk})
    check_page(unit_page, recount(varied.survey, varied.units[2]))


def test_a_question_with_a_very_long_name_is_counted_too(login, varied):
    """PostgreSQL cuts identifiers at 63 bytes; the answer is still found."""
    name = "q_" + "x" * 70
    schema = {"elements": [{"type": "radiogroup", "name": name, "title": "长题名", "choices": ["是", "否"],
                            "showOtherItem": True}]}
    survey = services.create_survey(varied.survey.campaign, "长题名问卷", schema, status=Survey.Status.OPEN)
    Response.objects.bulk_create([
        Response(survey=survey, version=survey.current_version, answers=a, status=Response.Status.SUBMITTED)
        for a in [{name: "是"}, {name: "否"}, {name: "是"}, {name: "other", f"{name}-Comment": "看情况"}]])
    items = login(varied.coordinator).get(reverse("surveys:results", args=[survey.pk])).context["items"]
    assert items[0]["choices"] == [("是", 2, 50.0), ("否", 1, 25.0), ("其他", 1, 25.0)]
    assert items[0]["texts"] == [(None, "看情况")]


def test_a_large_survey_is_counted_on_the_job_queue_showing_the_last_figures_meanwhile(login, varied, settings):
    """Above SURVEY_RESULTS_INLINE_ROWS no request counts: a job does, once, whoever looks."""
    from django.core.cache import cache

    from jobs.models import Job
    from jobs.services import run

    cache.clear()
    settings.SURVEY_RESULTS_INLINE_ROWS = 39
    client = login(varied.coordinator)
    url = reverse("surveys:results", args=[varied.survey.pk])
    page = client.get(url)
    assert page.context["results"].state == "counting" and page.context["items"] == []
    assert "共 40 份答卷，正在后台统计" in page.content.decode()
    job = Job.objects.get()
    assert job.function == "surveys.results.recount_job" and job.owner == varied.coordinator
    client.get(url)
    assert Job.objects.count() == 1  # one recount at a time
    assert run(job.pk) == "succeeded"
    page = client.get(url)
    assert page.context["results"].state == "fresh"
    check_page(page, recount(varied.survey))
    assert Job.objects.count() == 1
    # a new response: the last figures are shown, marked, while the queue counts again
    Response.objects.create(survey=varied.survey, version=varied.survey.current_version, unit=varied.units[1],
                            answers={"staff": 1000, "city": "海东"}, status=Response.Status.SUBMITTED)
    page = client.get(url)
    assert page.context["results"].state == "stale" and page.context["total"] == 40
    assert "现有 41 份，正在后台更新" in page.content.decode()
    assert run(Job.objects.latest("created_at").pk) == "succeeded"
    page = client.get(url)
    assert page.context["results"].state == "fresh"
    check_page(page, recount(varied.survey))
    # one unit's page is counted by its own job, for what its viewer may see
    settings.SURVEY_RESULTS_INLINE_ROWS = 5
    unit = varied.units[2]
    assert client.get(url, {"unit": unit.pk}).context["results"].state == "counting"
    job = Job.objects.latest("created_at")
    assert job.arguments["unit"] == unit.pk and run(job.pk) == "succeeded"
    check_page(client.get(url, {"unit": unit.pk}), recount(varied.survey, unit))


def test_the_recount_job_refuses_an_owner_who_lost_access(login, varied, settings):
    from django.core.cache import cache

    from campaigns.models import Membership
    from jobs.models import Job
    from jobs.services import run

    cache.clear()
    settings.SURVEY_RESULTS_INLINE_ROWS = 10
    login(varied.coordinator).get(reverse("surveys:results", args=[varied.survey.pk]))
    Membership.objects.filter(user=varied.coordinator).delete()
    job = Job.objects.get()
    assert run(job.pk) == "failed"
    job.refresh_from_db()
    assert "无权查看" in job.error

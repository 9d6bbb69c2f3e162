"""The demo: every bureau gets a suggested mentor with reasons; seeding twice changes nothing."""

from io import StringIO

from django.core.management import call_command

from campaigns.models import Unit
from jobs.models import Job
from pairing.demo import load_demo_extras
from pairing.models import InstitutionProfile, MentoringActivity, Need, Pairing
from pairing.services import build_plan, save_suggestions
from surveys.models import Response

BUREAUS = ["西宁市", "海东市", "海北州", "黄南州", "海南州", "果洛州", "玉树州", "海西州"]


def snapshot():
    return (
        sorted(InstitutionProfile.objects.values_list("unit__name", "capacity")),
        sorted(
            (
                n.unit.name,
                tuple(sorted(n.services.values_list("name", flat=True))),
                tuple(sorted(n.industries.values_list("name", flat=True))),
            )
            for n in Need.objects.all()
        ),
        sorted(Pairing.objects.values_list("mentor__name", "mentee__name", "status", "updated_at")),
        sorted(MentoringActivity.objects.values_list("pk", "date", "confirmed_at")),
    )


def test_demo_suggests_a_mentor_for_each_of_the_eight_bureaus_with_reasons(demo):
    load_demo_extras(demo)

    plan, fixed = build_plan(demo)

    by_mentee = {p.mentee.name: p for p in plan.pairs}
    for bureau in BUREAUS:
        pair = by_mentee[f"{bureau}市场监管局"]
        assert pair.score > 0
        assert any(r.startswith("服务对口：") for r in pair.reasons)
    assert plan.unserved == []
    assert [(p.mentor.name, p.mentee.name) for p in fixed] == [("青海大学", "黄南州图书馆")]
    profiles = {p.unit.name: p for p in InstitutionProfile.objects.select_related("unit")}
    for mentor, count in {
        p.mentor.name: sum(1 for q in plan.pairs if q.mentor.name == p.mentor.name) for p in plan.pairs
    }.items():
        used = Pairing.objects.filter(campaign=demo, mentor__name=mentor, status="active").count()
        assert count + used <= profiles[mentor].capacity
    assert profiles["中国科学院青海盐湖研究所"].industries.filter(name="盐湖化工").exists()


def test_seed_demo_loads_pairing_extras_and_a_second_run_changes_nothing(db):
    call_command("seed_demo", stdout=StringIO())
    assert InstitutionProfile.objects.count() == 6
    assert Need.objects.count() == 9
    # The demo is whole without a worker: the needs the survey answers queued are applied at load.
    assert not Job.objects.filter(status=Job.Status.QUEUED).exists()
    answered = set(Response.objects.values_list("unit__name", flat=True))
    assert len(answered) == 8
    assert set(Need.objects.filter(source=Need.Source.SURVEY).values_list("unit__name", flat=True)) == answered
    before = snapshot()

    call_command("seed_demo", stdout=StringIO())

    assert snapshot() == before


def test_suggest_pairings_command_prints_the_plan(demo):
    load_demo_extras(demo)
    out = StringIO()

    call_command("suggest_pairings", demo.code, stdout=out)

    text = out.getvalue()
    for bureau in BUREAUS:
        assert f"{bureau}市场监管局 ← " in text
    assert "理由：服务对口" in text
    assert "已确定  黄南州图书馆 ← 青海大学" in text
    assert Pairing.objects.filter(status="proposed").count() == 0  # printing writes nothing


def test_suggest_pairings_reports_an_unservable_unit(demo):
    load_demo_extras(demo)
    need = Need.objects.create(campaign=demo, unit=Unit.objects.get(name="西宁市教育局"))
    need.services.set([])
    out = StringIO()

    call_command("suggest_pairings", demo.code, stdout=out)

    assert "西宁市教育局：没有提供所需服务或熟悉所属产业的帮扶机构" in out.getvalue()


def test_saved_suggestions_point_at_task_11(demo):
    load_demo_extras(demo)
    save_suggestions(demo)
    proposed = Pairing.objects.filter(campaign=demo, status="proposed")
    assert proposed.count() == 8
    assert set(proposed.values_list("task__number", flat=True)) == {11}

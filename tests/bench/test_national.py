"""The national data generator: the population of seeds/001, the same data for the same seed."""
from django.db import transaction

from bench.generate_national import generate
from campaigns.models import Assignment, Campaign, ProgressReport, Region, Task, Unit
from surveys.models import Response


class _Undo(Exception):
    pass


def generated(seed):
    """Generate a small national data set, read it back by name (not id), and undo it."""
    try:
        with transaction.atomic():
            generate(seed=seed, max_tasks=30, reports=300, responses=310, out=lambda *a: None)
            figures = {
                "provinces": Region.objects.filter(kind="province").count(),
                "tiscs": Unit.objects.filter(description="TISC").count(),
                "university_centres": Unit.objects.filter(description="高校知识产权信息服务中心").count(),
                "network_points": Unit.objects.filter(description="国家知识产权信息公共服务网点").count(),
                "campaigns": Campaign.objects.count(),
                "largest": max(Task.objects.filter(campaign=c).count() for c in Campaign.objects.all()),
                "reports": ProgressReport.objects.count(),
                "responses": Response.objects.filter(status="submitted").count(),
            }
            content = {
                "units": sorted(Unit.objects.values_list("name", "kind", "region__name")),
                "tasks": sorted(Task.objects.values_list("campaign__title", "number", "title", "deadline")),
                "assignments": sorted(Assignment.objects.values_list(
                    "task__campaign__title", "task__number", "unit__name", "role", "status", "percent")),
                "reports": sorted(ProgressReport.objects.values_list(
                    "assignment__unit__name", "assignment__task__number", "events_held", "participants")),
                "responses": sorted(str(a) for a in Response.objects.values_list("answers", flat=True)),
            }
            raise _Undo
    except _Undo:
        return figures, content


def test_generator_builds_the_national_population_the_same_way_for_a_seed(db):
    figures, first = generated(seed=7)
    assert figures["provinces"] == 31 and figures["campaigns"] == 31
    assert (figures["tiscs"], figures["university_centres"], figures["network_points"]) == (101, 80, 88)
    assert figures["largest"] == 30
    assert 250 <= figures["reports"] <= 300 and figures["responses"] == 310
    assert generated(seed=7)[1] == first
    assert generated(seed=8)[1] != first

"""`seed_demo` adds a little realistic progress to the demo, once."""
from django.core.management import call_command

from campaigns.models import AdjustmentRequest, Assignment, Evidence, ProgressReport


def snapshot():
    return (
        list(ProgressReport.objects.values_list("pk", "status", "text").order_by("pk")),
        list(Evidence.objects.values_list("pk", "file").order_by("pk")),
        list(AdjustmentRequest.objects.values_list("pk", "status").order_by("pk")),
        list(Assignment.objects.exclude(status="not_started").values_list("pk", "status", "version").order_by("pk")),
    )


def test_seed_demo_shows_progress_once_and_leaves_xining_untouched(db, settings):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert snapshot() == first

    statuses = {
        (a.task.number, a.unit.short_name): a.status
        for a in Assignment.objects.exclude(status="not_started").select_related("task", "unit")
    }
    assert statuses == {
        (7, "海北州"): "submitted",
        (11, "海东市"): "in_progress",
        (13, "黄南州"): "returned",
        (16, "海西州"): "verified",
    }
    assert AdjustmentRequest.objects.get().status == "pending"
    for evidence in Evidence.objects.all():
        assert (settings.MEDIA_ROOT / evidence.file.name).is_file()
    # the bureau the browser tests use starts from a clean slate
    assert not Assignment.objects.filter(unit__memberships__user__username="xining").exclude(status="not_started")

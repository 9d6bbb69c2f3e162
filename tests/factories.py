"""Small factories shared by every app's tests: each builds the least a test needs."""
import itertools
from datetime import date

from django.contrib.auth import get_user_model

from campaigns.demo import minimal_pdf
from campaigns.models import Assignment, Campaign, Membership, Region, Section, Task, Unit

_seq = itertools.count(1)


def make_region(name=None, kind=Region.Kind.PREFECTURE, **kw):
    return Region.objects.create(name=name or f"地区{next(_seq)}", kind=kind, **kw)


def make_unit(name=None, kind=Unit.Kind.PREFECTURE_BUREAU, **kw):
    return Unit.objects.create(name=name or f"测试单位{next(_seq)}", kind=kind, **kw)


def make_user(unit=None, role=Membership.Role.REPORTER, username=None, **kw):
    user = get_user_model().objects.create_user(username or f"user{next(_seq)}", password="pw-test-123", **kw)
    if unit is not None:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def make_campaign(coordinating_unit=None, code=None, **kw):
    values = {
        "title": "测试活动方案",
        "starts_on": date(2024, 4, 1),
        "ends_on": date(2024, 9, 30),
        "summary_due": date(2024, 9, 30),
        "status": Campaign.Status.ACTIVE,
    }
    values.update(kw)
    return Campaign.objects.create(
        code=code or f"c{next(_seq)}",
        coordinating_unit=coordinating_unit or make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION),
        **values,
    )


def make_section(campaign, ordinal=None, title="测试活动安排"):
    ordinal = ordinal or (campaign.sections.count() + 1)
    return Section.objects.create(campaign=campaign, ordinal=ordinal, title=title)


def make_task(campaign, section=None, number=None, units=(), deadline=date(2024, 6, 30), **kw):
    """A task with an assignment per unit in `units` (the first leads)."""
    section = section or campaign.sections.first() or make_section(campaign)
    number = number or (campaign.tasks.count() + 1)
    task = Task.objects.create(
        campaign=campaign, section=section, number=number, title=kw.pop("title", f"任务{number}"), deadline=deadline, **kw
    )
    for position, unit in enumerate(units):
        Assignment.objects.create(
            task=task, unit=unit, role=Assignment.Role.LEAD if position == 0 else Assignment.Role.CO, position=position
        )
    return task


def make_plan(n_tasks, coordinating_unit=None, units=(), sections=5):
    """A campaign of `n_tasks` tasks spread over `sections`, each task assigned to `units`."""
    campaign = make_campaign(coordinating_unit)
    secs = [make_section(campaign, i + 1, f"活动安排{i + 1}") for i in range(sections)]
    for n in range(1, n_tasks + 1):
        make_task(campaign, section=secs[n % sections], number=n, units=units)
    return campaign


def pdf_bytes():
    """A real one-page PDF, as an upload check (pypdf) wants it."""
    return minimal_pdf(200, 200)


def docx_bytes(text="总结"):
    """A real Word document (python-docx)."""
    import io

    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


POLYGLOT_HTML = b"<html><body><script>window.pwned = 1</script></body></html>"


def polyglot_pdf():
    """A structurally valid PDF (pypdf reads it, cross-reference offsets exact) whose bytes
    also carry an HTML page in the clear, in an unfiltered stream: what a browser sniffing
    the file would run."""
    return minimal_pdf(200, 200, content=POLYGLOT_HTML)


def polyglot_jpeg():
    """A JPEG that Pillow decodes fully, carrying an HTML page in its comment segment."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, "JPEG", comment=POLYGLOT_HTML)
    data = buffer.getvalue()
    assert POLYGLOT_HTML in data
    return data


def run_worker():
    """Run every queued job now, as `manage.py db_worker` does, then return."""
    from django.core.management import call_command

    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

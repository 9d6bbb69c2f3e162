"""What fulfils a task (Task.purpose) and how far it has got.

campaigns imports none of the other apps, so each app that fulfils a purpose registers
a progress provider here from its AppConfig.ready(): surveys (the baseline survey),
pairing (the pairing programme), reports (the written summaries). A provider takes a
task and returns a PurposeProgress, or None when nothing is linked yet.
"""
from dataclasses import dataclass, field

_providers = {}


@dataclass
class PurposeProgress:
    """The linked module's progress as the task page shows it."""

    title: str
    figures: list = field(default_factory=list)  # [(label, value)]
    url: str = ""
    done_unit_ids: set = field(default_factory=set)  # units whose part the module shows done
    empty: str = ""  # said instead of figures when nothing is linked yet


def register(purpose, provider):
    """Register `provider(task) -> PurposeProgress | None` for a Task.Purpose value."""
    _providers[purpose] = provider


def progress_for(task):
    """The linked module's progress for `task`, or None (no purpose, or no provider)."""
    provider = _providers.get(task.purpose)
    return provider(task) if provider and task.purpose else None

"""Nothing of an import is kept on one server: the pending file lives in the default storage,
so a preview made on server A is committed on server B."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns import importing
from campaigns.models import Task

from .io_helpers import _media_root, plan_rows, snapshot, xlsx_bytes  # noqa: F401

SHARED_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def new_tasks_file(n=5):
    rows = plan_rows(n)
    for row in rows:
        row[0], row[1] = "（六）导入的活动", row[1] + 100
    return SimpleUploadedFile("plan.xlsx", xlsx_bytes(rows), content_type="application/octet-stream")


@pytest.fixture
def coordinator(demo, django_user_model):
    return django_user_model.objects.get(username="province")


def server(user):
    """A browser session on one app server (its own client, its own login)."""
    client = Client()
    client.force_login(user)
    return client


def test_server_b_commits_an_import_previewed_on_server_a(demo, coordinator, settings, tmp_path):
    settings.STORAGES = SHARED_STORAGE  # shared storage with no local path (like S3)
    settings.MEDIA_ROOT = tmp_path / "server-a"
    before = snapshot()
    preview = server(coordinator).post(reverse("campaigns:import", args=[demo.code]), {"file": new_tasks_file()})
    assert preview.status_code == 200
    assert snapshot() == before
    # Nothing of the preview sits on server A's disk.
    assert not (tmp_path / "server-a").exists() or not any((tmp_path / "server-a").rglob("*"))
    settings.MEDIA_ROOT = tmp_path / "server-b"  # server B: another disk, same storage
    response = server(coordinator).post(
        reverse("campaigns:import_commit", args=[demo.code]), {"token": preview.context["token"]}
    )
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:plan", args=[demo.code])
    assert demo.tasks.count() == 22 + 5
    assert Task.objects.get(campaign=demo, number=105).title == "导入任务5"
    # The commit spent the pending file for every server.
    assert default_storage.listdir("imports-pending")[1] == []


def test_a_pending_file_lost_from_the_shared_storage_is_refused_and_writes_nothing(demo, coordinator, settings):
    settings.STORAGES = SHARED_STORAGE
    preview = server(coordinator).post(reverse("campaigns:import", args=[demo.code]), {"file": new_tasks_file()})
    for name in default_storage.listdir("imports-pending")[1]:
        default_storage.delete(f"imports-pending/{name}")
    before = snapshot()
    response = server(coordinator).post(
        reverse("campaigns:import_commit", args=[demo.code]), {"token": preview.context["token"]}, follow=True
    )
    assert "预览已过期或已提交" in response.content.decode()
    assert snapshot() == before


def test_expired_pending_files_are_cleaned_and_fresh_ones_kept(coordinator, settings):
    settings.STORAGES = SHARED_STORAGE
    importing.stash_upload(b"old", "old.xlsx", user=coordinator, scope="x", fingerprint="")
    assert importing.clean_expired_stash() == 0
    assert len(default_storage.listdir("imports-pending")[1]) == 1
    # Just inside the hour the file stays; past it, it goes.
    almost = timezone.now() + timedelta(seconds=importing.stash.PENDING_MAX_AGE - 60)
    assert importing.clean_expired_stash(now=almost) == 0
    later = timezone.now() + timedelta(seconds=importing.stash.PENDING_MAX_AGE + 60)
    assert importing.clean_expired_stash(now=later) == 1
    assert default_storage.listdir("imports-pending")[1] == []


def test_a_new_preview_cleans_the_expired_files_of_abandoned_ones(coordinator, settings):
    settings.STORAGES = SHARED_STORAGE
    importing.stash_upload(b"abandoned", "a.xlsx", user=coordinator, scope="x", fingerprint="")
    [abandoned] = default_storage.listdir("imports-pending")[1]
    node = default_storage._resolve(f"imports-pending/{abandoned}")
    node.modified_time = timezone.now() - timedelta(seconds=importing.stash.PENDING_MAX_AGE + 1)
    importing.stash_upload(b"fresh", "b.xlsx", user=coordinator, scope="x", fingerprint="")
    remaining = default_storage.listdir("imports-pending")[1]
    assert abandoned not in remaining and len(remaining) == 1

import os
import sys

import pytest

from campaigns.demo import load_demo


@pytest.fixture
def demo(db):
    """The Qinghai 2024 demo plan, units and accounts, as `seed_demo` loads them."""
    campaign, _ = load_demo()
    return campaign


@pytest.fixture
def login(client):
    """Log a user in on the test client (force_login: no password check, no axes)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Demo data creates two dozen accounts per test; real PBKDF2 would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    # Uploaded evidence (and the demo's) goes to a temporary folder, never into var/media.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")



@pytest.fixture
def progress_log(monkeypatch):
    """Every progress(percent, message) a job reports, in order."""
    from jobs.services import JobHandle

    seen = []
    original = JobHandle.progress

    def record(self, percent, message=""):
        seen.append((percent, message))
        return original(self, percent, message)

    monkeypatch.setattr(JobHandle, "progress", record)
    return seen

def pytest_sessionfinish(session, exitstatus):
    # Close survey-core's V8 engine while every thread is still alive, on its own thread.
    session.config._outreach_exitstatus = exitstatus
    engine = sys.modules.get("surveys.engine")
    if engine is not None:
        engine.shutdown()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    # Once pytest has reported and torn everything down, leave without running native
    # libraries' static destructors: V8 (mini-racer) keeps platform threads that race its
    # own teardown, and a CI run of the whole suite once ended "981 passed" then
    # "Segmentation fault". The exit status is pytest's own.
    status = getattr(config, "_outreach_exitstatus", None)
    if status is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(status))

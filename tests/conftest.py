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

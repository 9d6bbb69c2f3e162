import pytest

from tests.notifications.robots import RobotServer


@pytest.fixture
def robots(settings):
    """The robot endpoints, all three vendors pointed at one local server."""
    with RobotServer() as server:
        settings.NOTIFY_ROBOT_BASE_URLS = {"wecom": server.url, "dingtalk": server.url, "feishu": server.url}
        yield server


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_RETRY_MINUTES = [1, 5]
    settings.SITE_URL = "http://outreach.example"

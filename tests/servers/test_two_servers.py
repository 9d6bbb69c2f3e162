"""Two real app servers (gunicorn, 2 workers each) on one database, one media folder and
one Redis, set up with the README's production commands: a person logged in on A is
logged in on B, an import previewed on A is committed on B (once), the open-link rate limit
and the login lockout hold across both, for the client the load balancer names.

Needs Redis (database 15 of 127.0.0.1:6379, or TWO_SERVERS_REDIS_URL): without it the test
skips, except in CI (REQUIRE_SYSTEM_PACKAGES=1 or CI set), where it fails.
"""
import os
import re
from pathlib import Path

import pytest

from tests.campaigns.io_helpers import xlsx_bytes
from tests.servers import cluster
from tests.servers.seed import PASSWORD

TASKS = "SELECT COUNT(*) FROM campaigns_task t JOIN campaigns_campaign c ON c.id = t.campaign_id WHERE c.code = %s"
SESSIONS = "SELECT COUNT(*) FROM django_session"


def require_redis():
    import redis

    try:
        redis.Redis.from_url(cluster.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REQUIRE_SYSTEM_PACKAGES") == "1" or os.environ.get("CI"):
            pytest.fail(f"Redis（{cluster.REDIS_URL}）未运行：CI 中多服务器测试必须在真实的 Redis 上运行")
        pytest.skip(f"没有运行中的 Redis（{cluster.REDIS_URL}）；CI 会启动它")


@pytest.fixture(scope="module")
def servers():
    require_redis()
    # An hour's window: the count cannot restart mid-test at a minute boundary.
    # Imports of more than ten rows go to the job queue (RQ on the same Redis).
    two = cluster.Cluster(servers=2, workers=2, SURVEY_OPEN_LINK_RATE="6/h", IMPORT_QUEUE_ROWS=10)
    try:
        yield two
    finally:
        two.close()


def token_of(html):
    match = re.search(r'name="token" value="([^"]+)"', html)
    assert match, "the preview page carries no token"
    return match.group(1)


def new_tasks_xlsx(n=4, first=101, title="两台服务器导入任务"):
    rows = [["（二）导入的活动", first + i, f"{title}{i + 1}", "西宁市市场监管局", "2024-08-31", ""]
            for i in range(n)]
    return xlsx_bytes(rows)


def pending_files(two):
    folder = Path(two.media) / "imports-pending"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_session_made_on_a_works_on_b_and_b_commits_the_import_a_previewed(servers):
    a, b = servers.servers
    code = servers.seeded["campaign"]
    browser = cluster.Browser()
    logged_in = browser.log_in(a, "coord", PASSWORD)
    assert logged_in.status_code == 302, logged_in.text[:500]
    # The session lives in the shared database: B knows the person A logged in.
    page = browser.get(b, f"/campaigns/{code}/import/")
    assert page.status_code == 200 and "导入" in page.text

    before = servers.database.scalar(TASKS, [code])
    preview = browser.post(a, f"/campaigns/{code}/import/",
                           files={"file": ("计划.xlsx", new_tasks_xlsx(), "application/octet-stream")})
    assert preview.status_code == 200, preview.text[:1000]
    assert "确认导入" in preview.text and "两台服务器导入任务4" in preview.text
    assert servers.database.scalar(TASKS, [code]) == before  # a preview writes nothing
    assert len(pending_files(servers)) == 1  # the pending file is on the shared volume

    token = token_of(preview.text)
    committed = browser.post(b, f"/campaigns/{code}/import/commit/", {"token": token})
    assert committed.status_code == 302 and committed.headers["Location"] == f"/campaigns/{code}/"
    assert servers.database.scalar(TASKS, [code]) == before + 4
    assert pending_files(servers) == []

    # The same token again, on A this time: refused, and the tasks stay imported once.
    again = browser.post(a, f"/campaigns/{code}/import/commit/", {"token": token})
    assert again.status_code == 302 and again.headers["Location"] == f"/campaigns/{code}/import/"
    assert servers.database.scalar(TASKS, [code]) == before + 4
    refused = browser.get(a, again.headers["Location"])
    assert "预览已过期或已提交，请重新上传文件。" in refused.text


def test_a_big_import_committed_on_b_is_done_by_the_readme_worker_command(servers):
    a, b = servers.servers
    code = servers.seeded["campaign"]
    browser = cluster.Browser()
    assert browser.log_in(b, "coord", PASSWORD).status_code == 302
    before = servers.database.scalar(TASKS, [code])
    upload = ("大计划.xlsx", new_tasks_xlsx(12, 201, "排队导入任务"), "application/octet-stream")
    preview = browser.post(a, f"/campaigns/{code}/import/", files={"file": upload})
    assert preview.status_code == 200 and "排队导入任务12" in preview.text
    queued = browser.post(b, f"/campaigns/{code}/import/commit/", {"token": token_of(preview.text)})
    assert queued.status_code == 302 and queued.headers["Location"].startswith("/jobs/")
    status = queued.headers["Location"] + "status.json"
    assert browser.get(a, status).json()["status"] == "queued"
    assert servers.database.scalar(TASKS, [code]) == before  # nothing written by the request
    # The README's worker command (--burst: stop when the queue is empty), on a third process.
    cluster.run([cluster.PYTHON, "manage.py", "rqworker", "default", "--job-class", "django_tasks_rq.Job", "--burst"],
                servers.env)
    state = browser.get(a, status).json()
    assert (state["status"], state["finished"]) == ("succeeded", True), state
    assert servers.database.scalar(TASKS, [code]) == before + 12
    assert pending_files(servers) == []


def test_the_open_link_rate_limit_counts_one_client_across_both_servers(servers):
    a, b = servers.servers
    path = f"/surveys/o/{servers.seeded['open_token']}/"
    client = cluster.Browser(client_ip="198.51.100.23")
    # Six allowed per hour per client: three on each server (two workers each), alternating.
    codes = [client.get(server, path).status_code for server in (a, b, a, b, a, b)]
    assert codes == [200] * 6
    # The seventh, on either server, is refused with the Chinese message.
    for server in (a, b):
        refused = client.get(server, path)
        assert refused.status_code == 429
        assert "访问过于频繁，请稍后再试。" in refused.text
    # What the client writes into X-Forwarded-For itself changes nothing (read from the right)...
    forged = client.get(b, path, forwarded_for="10.9.9.9, 198.51.100.23")
    assert forged.status_code == 429
    # ...and another client behind the same balancer is still let in: the limit is per client.
    assert cluster.Browser(client_ip="198.51.100.24").get(a, path).status_code == 200


def test_a_lockout_on_a_holds_on_b(servers):
    a, b = servers.servers
    sessions = servers.database.scalar(SESSIONS)
    attacker = cluster.Browser(client_ip="192.0.2.50")
    for _ in range(4):
        failed = attacker.log_in(a, "xining", "wrong-password")
        assert failed.status_code == 200 and "用户名或密码不正确，请重试。" in failed.text
    # The fifth failure (AXES_FAILURE_LIMIT, the README's default) locks the account out.
    assert attacker.log_in(a, "xining", "wrong-password").status_code == 429
    # The right password now, on B: still locked out, and no session is made.
    locked = attacker.log_in(b, "xining", PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多，该账号已被暂时锁定" in locked.text
    assert "sessionid" not in attacker.cookies
    assert servers.database.scalar(SESSIONS) == sessions
    # Another person (another address) logs in on B as usual.
    other = cluster.Browser(client_ip="192.0.2.51")
    assert other.log_in(b, "xining", PASSWORD).status_code == 302 and "sessionid" in other.cookies

"""Login lockouts and rate limits use the client's address: the forwarded header is believed
only from a configured trusted proxy, one attacker cannot lock a user out everywhere, and
failures during a lockout do not extend it."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from config.client_ip import client_ip

BALANCER = "10.0.0.5"
ATTACKER = "198.51.100.66"
VICTIM = "203.0.113.20"


@pytest.fixture
def behind_balancer(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"


def request_from(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_a_forged_forwarded_header_from_an_untrusted_peer_changes_nothing(behind_balancer):
    assert client_ip(request_from(ATTACKER, forwarded=VICTIM)) == ATTACKER


def test_without_trusted_proxies_the_header_is_ignored_altogether(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from(BALANCER, forwarded=VICTIM)) == BALANCER


def test_behind_the_balancer_the_client_is_the_rightmost_untrusted_address(behind_balancer):
    assert client_ip(request_from(BALANCER, forwarded=VICTIM)) == VICTIM
    # what the client wrote itself sits further left and is never reached
    assert client_ip(request_from(BALANCER, forwarded=f"{VICTIM}, {ATTACKER}")) == ATTACKER
    # a chain of trusted proxies is walked through
    assert client_ip(request_from(BALANCER, forwarded=f"{ATTACKER}, 10.0.0.9")) == ATTACKER
    # rubbish a proxy passed on is not taken for an address
    assert client_ip(request_from(BALANCER, forwarded="not-an-address")) == BALANCER


def test_rate_limits_key_on_the_same_client_address(behind_balancer):
    from django_ratelimit.core import _get_ip

    assert _get_ip(request_from(BALANCER, forwarded=f"{VICTIM}, {ATTACKER}")) == ATTACKER
    assert _get_ip(request_from(ATTACKER, forwarded=VICTIM)) == ATTACKER


def log_in(client, remote, password, forwarded=None, username="xining"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.fixture
def account(db):
    return get_user_model().objects.create_user("xining", password="right-password-1")


def lock_out(client, remote, forwarded=None):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, remote, "wrong", forwarded)


def test_an_attacker_locking_a_user_from_one_address_does_not_lock_it_from_another(behind_balancer, account, client):
    lock_out(client, BALANCER, forwarded=ATTACKER)
    assert log_in(client, BALANCER, "right-password-1", forwarded=ATTACKER).status_code == 429
    client.logout()
    response = log_in(client, BALANCER, "right-password-1", forwarded=VICTIM)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(account.pk)


def test_changing_the_forged_header_does_not_escape_a_lockout(behind_balancer, account, client):
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, ATTACKER, "wrong", forwarded=f"192.0.2.{n}")
    response = log_in(client, ATTACKER, "right-password-1", forwarded="192.0.2.200")
    assert response.status_code == 429 and "_auth_user_id" not in client.session


SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_failures_during_a_lockout_do_not_extend_it(account, client):
    start = datetime(2024, 6, 1, 9, 0, tzinfo=SHANGHAI)
    cool_off = settings.AXES_COOLOFF_TIME
    with time_machine.travel(start, tick=False) as clock:
        lock_out(client, VICTIM)
        # one wrong password a minute before the lockout ends, as an attacker would keep sending
        clock.move_to(start + cool_off - timedelta(minutes=1))
        assert log_in(client, VICTIM, "wrong").status_code == 429
        assert log_in(client, VICTIM, "right-password-1").status_code == 429  # still locked, as it should be
        clock.move_to(start + cool_off + timedelta(seconds=1))
        response = log_in(client, VICTIM, "right-password-1")
        # (the session is read while the clock still stands in 2024, when it was made)
        assert response.status_code == 302 and client.session["_auth_user_id"] == str(account.pk)


def test_a_lockout_lasts_its_whole_cool_off(account, client):
    start = datetime(2024, 6, 1, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False) as clock:
        lock_out(client, VICTIM)
        clock.move_to(start + settings.AXES_COOLOFF_TIME - timedelta(seconds=5))
        assert log_in(client, VICTIM, "right-password-1").status_code == 429

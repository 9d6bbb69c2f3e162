"""The client's address, one rule for login lockouts (django-axes' AXES_CLIENT_IP_CALLABLE)
and rate limits (django-ratelimit's RATELIMIT_IP_META_KEY).

Behind a load balancer REMOTE_ADDR is the balancer, so every user would share one address
and anyone could lock anyone out. The forwarded header is believed only when the request
comes from a configured trusted proxy (setting TRUSTED_PROXIES: addresses or networks),
and then read from the right: proxies append the address they saw, so the rightmost
address that is not itself a trusted proxy is the client. Whatever a client writes into
the header itself lands further left and is never reached. Without TRUSTED_PROXIES, or
from any other peer, the address is REMOTE_ADDR.
"""
import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies):
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, networks):
    return address is not None and any(address in network for network in networks)


def client_ip(request):
    """The address of the client that sent `request`, as a string."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _trusted(_address(remote), networks):
        return remote
    header = "HTTP_" + getattr(settings, "CLIENT_IP_HEADER", "X-Forwarded-For").upper().replace("-", "_")
    chain = [part.strip() for part in request.META.get(header, "").split(",") if part.strip()]
    for text in reversed(chain):
        address = _address(text)
        if address is None:
            return remote  # a proxy wrote something that is no address: trust nothing further left
        if not _trusted(address, networks):
            return str(address)
    return str(_address(chain[0])) if chain else remote

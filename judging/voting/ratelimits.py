"""Keys and rates for django-ratelimit on the voting views. Rates are settings, read on each
request: an empty one switches that limit off (the load benchmark does)."""

from django.conf import settings

from .identity import client_ip, network_of


def network_key(group, request):
    """The client's /24 (IPv4) or /64 (IPv6) network."""
    return network_of(client_ip(request)) or "unknown"


def _rate(name):
    return getattr(settings, name) or None


def vote_ip_rate(group, request):
    return _rate("PUBLIC_VOTE_RATE_IP")


def vote_network_rate(group, request):
    return _rate("PUBLIC_VOTE_RATE_NETWORK")


def code_ip_rate(group, request):
    return _rate("PUBLIC_VOTE_CODE_RATE_IP")


def code_network_rate(group, request):
    return _rate("PUBLIC_VOTE_CODE_RATE_NETWORK")

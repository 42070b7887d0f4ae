"""The request an audit row is written for: kept in a context variable by
`AuditContextMiddleware`, so that `audit_log` records the source IP and user agent without
every service passing the request down."""

import ipaddress
from contextvars import ContextVar

from django.conf import settings

_current_request = ContextVar("audit_request", default=None)

USER_AGENT_MAX = 255


def current_request():
    return _current_request.get()


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def encode_controls(text):
    """CR, LF and the other control characters as visible escapes (LOG-04): a value can
    never start a forged line in a log, a terminal or an export."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def _normalised_ip(value):
    try:
        address = ipaddress.ip_address(value.strip())
    except (ValueError, AttributeError):
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.compressed


def client_ip(request):
    """The client's address: REMOTE_ADDR, or — only behind `TRUSTED_PROXY_COUNT` proxies
    that each append to X-Forwarded-For — the address the outermost trusted proxy saw.
    Entries left of it are written by the client and never trusted."""
    remote = _normalised_ip(request.META.get("REMOTE_ADDR", ""))
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if len(forwarded) < trusted:
        return remote
    return _normalised_ip(forwarded[-trusted]) or remote


def user_agent(request):
    return encode_controls(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_MAX]

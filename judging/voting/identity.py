"""Who a voter is, as little as possible: the normalised e-mail address or mobile number is
turned into an HMAC-SHA256 with `PUBLIC_VOTE_HASH_SECRET` and only that digest is stored. The
same secret hashes the one-time codes. Networks are /24 (IPv4) or /64 (IPv6)."""

import hashlib
import hmac
import ipaddress
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from cases.audit.context import client_ip as audit_client_ip

from .models import IdentifierKind

MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _secret():
    return settings.PUBLIC_VOTE_HASH_SECRET.encode()


def keyed_hash(value):
    return hmac.new(_secret(), value.encode(), hashlib.sha256).hexdigest()


def normalise(kind, value):
    """The canonical form of an address or a number; ValidationError if it is not one."""
    value = (value or "").strip()
    if kind == IdentifierKind.EMAIL:
        value = value.lower()
        if len(value) > 254:
            raise ValidationError(_("电子邮箱过长。"))
        validate_email(value)
        return value
    if kind == IdentifierKind.MOBILE:
        digits = re.sub(r"[\s-]", "", value)
        if digits.startswith("+86"):
            digits = digits[3:]
        if not MOBILE.match(digits):
            raise ValidationError(_("请输入 11 位中国大陆手机号码。"))
        return digits
    raise ValidationError(_("未知的验证方式。"))


def identifier_hash(kind, value):
    """HMAC of `kind:normalised value` (the kind is part of it: an e-mail and a number never
    collide)."""
    return keyed_hash(f"{kind}:{normalise(kind, value)}")


def code_hash(challenge_key, code):
    return keyed_hash(f"code:{challenge_key}:{code}")


def network_of(ip):
    """'203.0.113.0/24' for an IPv4 address, the /64 for IPv6, '' for none or garbage."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def client_ip(request):
    """The client's address by the site's one rule (`cases.audit.context.client_ip`:
    REMOTE_ADDR, or behind `TRUSTED_PROXY_COUNT` proxies the address the outermost saw), so a
    vote, its /24 and the rate limits name the same client as the audit trail."""
    return audit_client_ip(request)


def mask_mobile(number):
    return f"{number[:3]}****{number[-4:]}"

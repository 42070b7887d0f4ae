"""A seeded fuzzer of every URL pattern: hostile query strings and form bodies, sent as each
role, counting the answers that are a 500. Used by tests/security/test_fuzz.py (a bounded
run in the suite) and bench/fuzz.py (a large run that prints the figures).

The targets are every URL pattern of the site, the admin's included, with path parameters
taken from the objects that exist (and sometimes hostile themselves). Form field names come
from the page itself: the fuzzer GETs a page as the role, reads the `name="…"` of its inputs,
and posts hostile values under those names, so every form is reached with its real fields.
"""

import random
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from django.contrib.admin.sites import site as admin_site
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

HUGE = "9" * 400
HOSTILE_VALUES = [
    HUGE,
    "-" + HUGE,
    str(2**63),
    str(-(2**63) - 1),
    "-1",
    "0",
    "1e309",
    "NaN",
    "a" * 100_000,
    "字" * 100_000,
    "\x00",
    "abc\x00def",
    "9999-99-99",
    "0000-00-00",
    "2026-02-30T25:61",
    "",
    " ",
    "abc",
    "../../etc/passwd",
    "/etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "true",
    "[]",
    "{}",
    "1,2,3",
    "\ud7ff\U0001f600",
    "\r\nSet-Cookie: x=1",
]
RAW_QUERIES = ["%ff%fe=%c3%28", "a=%zz", "a=%", "%00=%00", "a[]=1&a[]=2", "=&=&&", "a=1;b=2"]
NAME_PATTERN = re.compile(r'name="([^"]{1,80})"')
ROLES = ("anonymous", "unit", "judge", "organiser")
# Never posted to: they end the session the fuzzer is using (it signs in again anyway).
SKIP_POST = {"logout", "admin:logout"}


@dataclass
class Finding:
    method: str
    url: str
    role: str
    status: int
    detail: str


@dataclass
class FuzzRun:
    requests: int = 0
    statuses: dict = field(default_factory=dict)
    findings: list = field(default_factory=list)

    def count(self, status):
        self.requests += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def server_errors(self):
        return sum(n for status, n in self.statuses.items() if status >= 500)


def walk(resolver, prefix="", namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            if isinstance(pattern.pattern, RoutePattern):
                name = f"{namespace}{pattern.name}" if pattern.name else None
                yield prefix + str(pattern.pattern), name


def targets():
    """(route, name) of every route pattern, plus the admin's app index pages (regex)."""
    found = list(walk(get_resolver()))
    labels = sorted({model._meta.app_label for model in admin_site._registry})
    return found + [(f"admin/{label}/", "admin:app_list") for label in labels]


PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


class Fuzzer:
    def __init__(self, *, seed, users, path_values):
        """`users`: {role: user or None}; `path_values`: {"int": [...], "slug": [...],
        "str": [...]} of values that exist (ids, slugs)."""
        self.random = random.Random(seed)
        self.users = users
        self.path_values = path_values
        self.clients = {role: Client(raise_request_exception=False) for role in ROLES}
        self.field_names = {}
        self.run = FuzzRun()
        # The admin's delete page deletes on any POST: not the accounts the fuzzer uses.
        routes = [r for r in targets() if r[1] != "admin:cases_user_delete"]
        # The admin has most of the patterns; half the requests go to the rest of the site.
        self.admin_routes = [r for r in routes if r[0].startswith("admin/")]
        self.site_routes = [r for r in routes if not r[0].startswith("admin/")]

    def sign_in(self, role):
        client = self.clients[role]
        user = self.users.get(role)
        if user is not None:
            if not type(user).objects.filter(pk=user.pk).exists():
                self.users[role] = None  # deleted by a fuzzed admin POST: anonymous from now
                return self.clients["anonymous"]
            client.force_login(user)
        return client

    def path(self, route):
        def value(match):
            converter = match.group(1) or "str"
            if self.random.random() < 0.15:
                return quote(self.random.choice([HUGE, "-1", "0", "x" * 300, "%00"]), safe="")
            pool = self.path_values.get(converter) or self.path_values["str"]
            return quote(str(self.random.choice(pool)), safe="")

        return "/" + PARAMETER.sub(value, route)

    def hostile(self):
        return self.random.choice(HOSTILE_VALUES)

    def query(self, names):
        names = list(names) or ["q"]
        extra = ["q", "page", "o", "edition", "category", "tier", "round", "status", "year", "p"]
        picked = self.random.sample(names + extra, k=min(len(names) + len(extra), 3))
        data = {}
        for name in picked:
            if self.random.random() < 0.2:
                data[name] = [self.hostile(), self.hostile()]  # an array of values
            else:
                data[name] = self.hostile()
        return data

    def names_of(self, role, url):
        key = (role, url)
        if key not in self.field_names:
            response = self.clients[role].get(url)
            self.record("GET", url, role, response)
            text = ""
            if response.status_code == 200 and not response.streaming:
                text = response.content.decode(errors="replace")
            names = {name for name in NAME_PATTERN.findall(text) if name != "csrfmiddlewaretoken"}
            self.field_names[key] = sorted(names)
        return self.field_names[key]

    def record(self, method, url, role, response):
        self.run.count(response.status_code)
        if response.status_code >= 500:
            detail = ""
            exc = getattr(response, "exc_info", None)
            if exc:
                detail = f"{exc[0].__name__}: {str(exc[1])[:200]}"
            self.run.findings.append(Finding(method, url[:200], role, response.status_code, detail))

    def one(self):
        in_admin = self.random.random() < 0.5
        route, name = self.random.choice(self.admin_routes if in_admin else self.site_routes)
        if in_admin and self.random.random() < 0.85:
            role = "organiser"  # the back office's own users; others are sent to its login
        else:
            role = self.random.choice(ROLES)
        client = self.sign_in(role)
        url = self.path(route)
        kind = self.random.random()
        if kind < 0.35:
            response = client.get(url, self.query([]))
            self.record("GET", url, role, response)
        elif kind < 0.45:
            raw = self.random.choice(RAW_QUERIES)
            response = client.get(f"{url}?{raw}")
            self.record("GET", f"{url}?{raw}", role, response)
        elif name in SKIP_POST:
            return
        elif kind < 0.9:
            names = self.names_of(role, url)
            if self.run.requests and self.random.random() < 0.5:
                client = self.sign_in(role)
            data = {n: self.hostile() for n in names if self.random.random() < 0.8}
            for n in self.random.sample(names, k=min(2, len(names))):
                data[n] = [self.hostile(), self.hostile()]
            response = client.post(url, data)
            self.record("POST", url, role, response)
        else:
            body = self.random.choice(RAW_QUERIES).encode() + b"&\xff\xfe=\xc3\x28"
            response = client.post(url, body, content_type="application/x-www-form-urlencoded")
            self.record("POST", url, role, response)

    def fuzz(self, count):
        while self.run.requests < count:
            self.one()
        return self.run

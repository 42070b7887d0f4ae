"""UP-02: size limits. A file over the per-file limit is a form error beside its field, never a
500; a request with more files or more form data than Django's limits is the generic 400 page;
the limits are set in config/settings.py, not left to Django's defaults; and the sample
web-server configuration (deploy/nginx.conf) caps the request body just above the largest
request the app accepts (one case form filling the per-case quota) and has no location for
media (UP-04)."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from cases.models import Attachment, MembershipRole
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_member,
    make_unit,
    pdf_bytes,
)

ROOT = Path(settings.BASE_DIR)
NGINX = ROOT / "deploy" / "nginx.conf"


# --- the settings ---------------------------------------------------------------------------
def test_upload_limits_are_set_in_the_settings_module():
    tree = ast.parse((ROOT / "config" / "settings.py").read_text(encoding="utf-8"))
    assigned = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for name in (
        "DATA_UPLOAD_MAX_NUMBER_FILES",
        "DATA_UPLOAD_MAX_MEMORY_SIZE",
        "FILE_UPLOAD_MAX_MEMORY_SIZE",
        "CASE_ATTACHMENT_MAX_BYTES",
        "CASE_ATTACHMENTS_TOTAL_MAX_BYTES",
    ):
        assert name in assigned, name
    assert 0 < settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 100
    assert 0 < settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert 0 < settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert settings.CASE_ATTACHMENT_MAX_BYTES <= settings.CASE_ATTACHMENTS_TOTAL_MAX_BYTES


# --- the app's answers ----------------------------------------------------------------------
@pytest.fixture
def member_client(db):
    edition = make_edition()
    unit = make_unit(verified=True)
    member = make_member(unit=unit, role=MembershipRole.ADMIN)
    case = make_case(edition=edition, owner_unit=unit, category=make_category(edition=edition))
    client = Client(raise_request_exception=False)
    client.force_login(member)
    return client, case


def case_post(client, case, **fields):
    data = {
        "media-TOTAL_FORMS": "0",
        "media-INITIAL_FORMS": "0",
        "title": case.title,
        "category": case.category_id,
        "save": "1",
        **fields,
    }
    return client.post(reverse("portal:case-update", args=[case.pk]), data)


@override_settings(DEBUG=False, CASE_ATTACHMENT_MAX_BYTES=64 * 1024)
def test_a_file_over_the_limit_is_an_error_beside_its_field(member_client):
    client, case = member_client
    big = SimpleUploadedFile("申报书.pdf", pdf_bytes() + b" " * (65 * 1024), "application/pdf")

    response = case_post(client, case, application_form=big)

    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="id_application_form_error"' in text
    assert "超过单个文件 64.0\xa0KB 的上限" in text
    assert not Attachment.objects.exists()


@override_settings(DEBUG=False)
def test_files_over_the_per_case_quota_are_an_error_beside_their_field(member_client, settings):
    client, case = member_client
    one = pdf_bytes() + b" " * 4000
    settings.CASE_ATTACHMENTS_TOTAL_MAX_BYTES = len(one) + 1000
    files = [SimpleUploadedFile(f"材料{n}.pdf", one, "application/pdf") for n in range(2)]

    response = case_post(client, case, supporting_files=files)

    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="id_supporting_files_error"' in text
    assert "超过每个案例" in text
    assert Attachment.objects.count() == 1  # the first fits, the second is refused


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_NUMBER_FILES=2)
def test_more_files_than_allowed_in_one_request_is_the_400_page(member_client):
    client, case = member_client
    files = [SimpleUploadedFile(f"材料{n}.pdf", pdf_bytes(), "application/pdf") for n in range(3)]

    response = case_post(client, case, supporting_files=files)

    assert response.status_code == 400
    assert "<h1>请求有误</h1>" in response.content.decode()
    assert not Attachment.objects.exists()


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_form_data_over_the_memory_limit_is_the_400_page(member_client):
    client, case = member_client

    response = case_post(client, case, summary="字" * 2048)

    assert response.status_code == 400
    assert "<h1>请求有误</h1>" in response.content.decode()
    case.refresh_from_db()
    assert case.summary != "字" * 2048


# --- the web server -------------------------------------------------------------------------
def parse_nginx(text):
    """nginx configuration as nested [(directive, [args], children or None)]."""
    text = re.sub(r"#[^\n]*", "", text)
    tokens = re.findall(r'"[^"]*"|[{};]|[^\s{};]+', text)
    stack = [[]]
    current = []
    for token in tokens:
        if token == "{":
            block = []
            stack[-1].append((current[0], current[1:], block))
            stack.append(block)
            current = []
        elif token == "}":
            stack.pop()
        elif token == ";":
            stack[-1].append((current[0], current[1:], None))
            current = []
        else:
            current.append(token.strip('"'))
    assert len(stack) == 1 and current == [], "unbalanced braces or a missing semicolon"
    return stack[0]


def walk(block):
    for name, args, children in block:
        yield name, args, children
        if children:
            yield from walk(children)


def size_bytes(value):
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def tls_server():
    top = parse_nginx(NGINX.read_text())
    servers = [c for n, a, c in top if n == "server" and c is not None]
    return next(s for s in servers if any(n == "listen" and "ssl" in a for n, a, _ in s))


def test_nginx_caps_the_body_just_above_the_largest_request():
    limits = [size_bytes(a[0]) for n, a, _ in walk(tls_server()) if n == "client_max_body_size"]

    assert len(limits) == 1
    largest_request = settings.CASE_ATTACHMENTS_TOTAL_MAX_BYTES
    assert largest_request < limits[0] <= largest_request + 20 * 1024 * 1024
    assert limits[0] > settings.CASE_ATTACHMENT_MAX_BYTES


def test_nginx_has_no_location_for_media_and_serves_static():
    server = tls_server()
    locations = {args[-1]: children for name, args, children in walk(server) if name == "location"}
    media_root = str(settings.MEDIA_ROOT)

    assert "/static/" in locations
    assert not [path for path in locations if "media" in path.lower()]
    assert not [path for path in locations if path.startswith(settings.MEDIA_URL)]
    for name, args, _ in walk(server):
        if name in ("root", "alias"):
            assert "media" not in args[0] and not args[0].startswith(media_root), args


def test_nginx_serves_tls_with_hsts_and_proxies_to_gunicorn():
    top = parse_nginx(NGINX.read_text())
    server = tls_server()
    directives = {name: args for name, args, _ in server}
    hsts = [a for n, a, _ in server if n == "add_header" and a[0] == "Strict-Transport-Security"]
    proxied = [a[0] for n, a, _ in walk(server) if n == "proxy_pass"]
    upstreams = [a[0] for n, a, _ in top if n == "upstream"]
    plain = [c for n, _, c in top if n == "server" and c is not server]

    assert "ssl_certificate" in directives and "ssl_certificate_key" in directives
    assert set(directives["ssl_protocols"]) <= {"TLSv1.2", "TLSv1.3"}
    assert hsts and int(re.search(r"max-age=(\d+)", hsts[0][1]).group(1)) >= 31536000
    assert proxied == [f"http://{upstreams[0]}"]
    assert any(n == "return" and a[0] == "301" for s in plain for n, a, _ in s)

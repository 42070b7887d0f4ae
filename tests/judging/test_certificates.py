"""Award certificates: a valid PDF with CJK text, and who may download it."""

import base64
import io
import re
import zipfile
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseStatus, EditionStatus
from judging.certificates import render_certificate
from judging.models import PanelRole
from tests.audit_helpers import audited
from tests.factories import (
    make_award,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_panel,
    make_programme,
    make_tier,
    make_unit,
    make_user,
)

pytestmark = pytest.mark.django_db


def pdf_text(data):
    """The text drawn by a reportlab PDF: content streams are ASCII85 + Flate encoded, and text
    in the STSong-Light CID font is UTF-16BE inside PDF literal strings."""
    text = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = match.group(1).strip()
        if raw.endswith(b"~>"):
            raw = base64.a85decode(raw[:-2])
        content = zlib.decompress(raw)
        for literal in re.finditer(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content, re.S):
            text.append(_unescape(literal.group(1)).decode("utf-16-be"))
    return "".join(text)


def _unescape(literal):
    out, i = bytearray(), 0
    while i < len(literal):
        byte = literal[i]
        if byte == 0x5C:  # backslash
            nxt = literal[i + 1 : i + 2]
            if nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4]).group(0)
                out.append(int(digits, 8))
                i += 1 + len(digits)
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
            i += 2
            continue
        out.append(byte)
        i += 1
    return bytes(out)


def _award(edition_status=EditionStatus.PUBLISHED, published_at=None):
    programme = make_programme(name="粤有数新技术治理案例", hosts="广州南方学院")
    edition = make_edition(
        programme=programme,
        status=edition_status,
        title="2021年度",
        results_published_at=published_at,
    )
    category = make_category(edition=edition, name="数字政府与治理现代化")
    lead = make_unit(name="人民网·人民数据")
    case = make_case(
        edition=edition,
        category=category,
        owner_unit=lead,
        lead_units=[lead, make_unit(name="广州市政务服务数据管理局")],
        title="人民党建云智慧党建平台",
        status=CaseStatus.AWARDED,
        reference="2021-SZ-0007",
    )
    return make_award(case=case, tier=make_tier(edition=edition, name="最佳案例"))


def test_certificate_is_a_pdf_with_the_cjk_font_and_the_award_text():
    # 2021-12-23 02:00 UTC is 10:00 on 23 December in Asia/Shanghai.
    award = _award(published_at=datetime(2021, 12, 23, 2, 0, tzinfo=UTC))

    data = render_certificate(award)

    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert b"/BaseFont /STSong-Light" in data
    assert b"/Encoding /UniGB-UCS2-H" in data
    text = pdf_text(data)
    for expected in [
        "获奖证书",
        "人民网·人民数据、广州市政务服务数据管理局",
        "人民党建云智慧党建平台",
        "粤有数新技术治理案例2021年度",
        "数字政府与治理现代化 · 最佳案例",
        "广州南方学院",
        "2021年12月23日",
        "证书编号:2021-SZ-0007",
    ]:
        assert expected in text


def _login(client, role, award):
    if role == "organiser":
        client.force_login(make_organiser())
    elif role == "owner_unit":
        client.force_login(make_member(unit=award.case.owner_unit))
    elif role == "other_unit":
        client.force_login(make_member(unit=make_unit()))
    elif role == "judge":
        client.force_login(make_judge().user)
    elif role == "panel_chair":
        chair = make_judge()
        make_panel(
            edition=award.edition,
            categories=[award.case.category],
            judges=[chair],
            role=PanelRole.CHAIR,
        )
        client.force_login(chair.user)
    elif role == "staff_without_permission":
        client.force_login(make_user(is_staff=True, is_superuser=False))
    return client


PAST = timezone.now() - timedelta(days=1)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("organiser", 200),
        ("owner_unit", 200),
        ("other_unit", 404),
        ("judge", 404),
        ("panel_chair", 404),
        ("staff_without_permission", 404),
        ("anonymous", 302),
    ],
)
def test_certificate_download_after_publication(client, role, status):
    award = _award(published_at=PAST)
    client = _login(client, role, award)

    response = client.get(reverse("judging:certificate-download", kwargs={"pk": award.pk}))

    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("login"))
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert "attachment;" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("edition_status", "published_at"),
    [
        (EditionStatus.DECIDING, None),
        (EditionStatus.PUBLICITY, None),
        # Published with an embargo time still in the future.
        (EditionStatus.PUBLISHED, timezone.now() + timedelta(days=1)),
    ],
)
@pytest.mark.parametrize(("role", "status"), [("owner_unit", 404), ("organiser", 200)])
def test_certificate_download_before_results_are_public(
    client, edition_status, published_at, role, status
):
    award = _award(edition_status=edition_status, published_at=published_at)
    client = _login(client, role, award)

    response = client.get(reverse("judging:certificate-download", kwargs={"pk": award.pk}))

    assert response.status_code == status


def test_staff_with_view_permission_only_may_download(client):
    award = _award()
    user = make_user(is_staff=True, is_superuser=False)
    user.user_permissions.add(Permission.objects.get(codename="view_award"))
    client.force_login(user)

    response = client.get(reverse("judging:certificate-download", kwargs={"pk": award.pk}))

    assert response.status_code == 200
    entry = audited("judging.certificate.downloaded", actor=user, obj=award)
    assert entry.data == {
        "filename": "获奖证书-2021-SZ-0007-人民党建云智慧党建平台.pdf",
        "case": award.case_id,
    }


def test_missing_award_is_404(client):
    client.force_login(make_organiser())

    assert client.get(reverse("judging:certificate-download", kwargs={"pk": 999})).status_code == (
        404
    )


def test_admin_action_zips_the_selected_certificates(client):
    first = _award()
    second = make_award(
        case=make_case(
            edition=first.edition, status=CaseStatus.AWARDED, title="第二个", reference="R-2"
        ),
        tier=first.tier,
    )
    organiser = make_organiser()
    client.force_login(organiser)

    response = client.post(
        reverse("admin:judging_award_changelist"),
        {"action": "download_certificates_action", "_selected_action": [first.pk, second.pk]},
    )
    entry = audited("judging.certificates.exported", actor=organiser)
    assert (entry.object_type, entry.object_id) == ("judging.award", "*")
    assert (entry.data["rows"], sorted(entry.data["awards"]), entry.data["format"]) == (
        2,
        sorted([first.pk, second.pk]),
        "zip",
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [
        "获奖证书-2021-SZ-0007-人民党建云智慧党建平台.pdf",
        "获奖证书-R-2-第二个.pdf",
    ]
    assert all(archive.read(name).startswith(b"%PDF-") for name in archive.namelist())


def test_admin_edition_certificates_zip_has_one_pdf_per_award(client):
    award = _award()
    make_award(
        case=make_case(edition=award.edition, status=CaseStatus.AWARDED), tier=award.tier, order=2
    )
    organiser = make_organiser()
    client.force_login(organiser)

    response = client.get(reverse("admin:judging_award_certificates", args=[award.edition.pk]))

    assert response.status_code == 200
    assert len(zipfile.ZipFile(io.BytesIO(response.content)).namelist()) == 2
    entry = audited("judging.certificates.exported", actor=organiser, obj=award.edition)
    assert (entry.data["rows"], entry.data["filename"]) == (
        2,
        f"获奖证书-{award.edition.slug}.zip",
    )


def test_admin_edition_certificates_is_for_organisers_only(client):
    award = _award()
    client.force_login(make_member(unit=award.case.owner_unit))

    response = client.get(reverse("admin:judging_award_certificates", args=[award.edition.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("units", [1, 5])
def test_certificate_query_count_does_not_grow_with_lead_units(
    client, django_assert_num_queries, units
):
    award = _award(published_at=PAST)
    award.case.lead_unit_links.all().delete()
    for order in range(units):
        award.case.lead_unit_links.create(unit=make_unit(), order=order)
    client.force_login(make_member(unit=award.case.owner_unit))
    url = reverse("judging:certificate-download", kwargs={"pk": award.pk})

    # session, user, award (+ edition, programme, case, tier, category), lead units,
    # results visible, membership, the permission cache; the audit row: chain head, insert,
    # head update
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200

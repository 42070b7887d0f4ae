"""Hostile uploads (SECURITY.md UP-01, UP-03, UP-05): zip bombs, polyglot images, active
PDFs and malware, refused or neutralised by `cases.uploads.inspect_file`; malware scanned by
a real clamd."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cases.models import Attachment, AttachmentKind, AuditEntry, MembershipRole, QuarantinedFile
from cases.uploads import DOCX, PDF, inspect_upload
from tests.audit_helpers import audited
from tests.factories import (
    jpeg_bytes,
    make_case,
    make_category,
    make_edition,
    make_member,
    make_unit,
    pdf_bytes,
    png_bytes,
)

pytestmark = pytest.mark.django_db

HTML = b"<html><script>alert(document.cookie)</script></html>"
# Assembled here so that no file of the repository is itself the EICAR test file.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
MARKER = b"AWARDS-PLATFORM-CLAMAV-TEST-MARKER-7c1e"


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def refusal(data, name="申报书.docx", kind=AttachmentKind.APPLICATION_FORM):
    with pytest.raises(ValidationError) as error:
        inspect_upload(upload(name, data), kind=kind)
    return error.value.messages[0]


def docx_with(entries, compresslevel=9):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
        for name, size in entries:
            with zf.open(name, "w") as member:
                for _ in range(size // (1024 * 1024)):
                    member.write(bytes(1024 * 1024))
                member.write(bytes(size % (1024 * 1024)))
    return buffer.getvalue()


# --- Office files (zip) ---------------------------------------------------------------------
def test_docx_of_199_kb_that_expands_to_200_mb_is_refused():
    bomb = docx_with([("word/media/image1.bin", 200 * 1024 * 1024)])

    assert len(bomb) < 200 * 1024  # under 200 KB on the wire
    assert "解压后为 200.0\xa0MB,超过 100.0\xa0MB 的上限" in refusal(bomb)


def test_docx_above_the_compression_ratio_is_refused_even_when_small(settings):
    # 5 MB of zeros: far below the size limit, but packed over 1000:1
    message = refusal(docx_with([("word/media/image1.bin", 5 * 1024 * 1024)]))

    assert "压缩比为" in message and "超过 100:1 的上限" in message


def test_docx_with_too_many_entries_is_refused(settings):
    settings.UPLOAD_ZIP_MAX_ENTRIES = 10
    entries = [(f"word/media/{i}.xml", 10) for i in range(9)]

    assert "内含 11 个文件,超过 10 个的上限" in refusal(docx_with(entries))


def test_docx_that_lies_about_its_size_is_refused():
    data = bytearray(docx_with([("word/media/a.bin", 200_000)], compresslevel=1))
    # Shrink the declared size of the entry in the central directory (and local header):
    # reading it then overruns and fails its check instead of expanding unbounded.
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_start = start + (46 if signature == b"PK\x01\x02" else 30)
            if data[name_start : name_start + 16] == b"word/media/a.bin":
                data[start + offset : start + offset + 4] = struct.pack("<I", 1000)
            start += 4

    assert "已损坏或无法读取" in refusal(bytes(data))


def test_ordinary_docx_passes_the_archive_limits():
    data = docx_with([("word/media/image1.png", 0)])

    assert inspect_upload(upload("申报书.docx", data), kind="application_form").content_type == DOCX


# --- Images ---------------------------------------------------------------------------------
def pixels(data):
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.format, image.size, image.convert("RGB").tobytes()


@pytest.mark.parametrize(
    ("name", "image"), [("现场.png", png_bytes()), ("现场.jpg", jpeg_bytes(size=(8, 8)))]
)
def test_image_with_html_appended_is_stored_without_it(name, image):
    inspected = inspect_upload(upload(name, image + HTML), kind=AttachmentKind.IMAGE)

    stored = inspected.file.read()

    assert HTML not in stored and b"<script" not in stored
    fmt, size, _ = pixels(stored)
    assert (fmt, size) == pixels(image)[:2]
    if fmt == "PNG":
        assert pixels(stored) == pixels(image)
    assert inspected.size == len(stored)


def test_png_text_chunks_and_jpeg_exif_are_dropped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (0, 0, 255)).save(buffer, "PNG", pnginfo=info)
    jpeg = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "<script>alert(2)</script>"  # ImageDescription
    Image.new("RGB", (2, 2)).save(jpeg, "JPEG", exif=exif)

    png_out = inspect_upload(upload("a.png", buffer.getvalue()), kind="image").file.read()
    jpeg_out = inspect_upload(upload("a.jpg", jpeg.getvalue()), kind="image").file.read()

    assert b"<script" not in png_out and b"<script" not in jpeg_out


def test_image_that_does_not_decode_is_refused():
    truncated = png_bytes()[:30]

    assert "不是可以打开的图片" in refusal(truncated, "现场.png", AttachmentKind.IMAGE)


def test_image_above_the_pixel_limit_is_refused_before_decoding(settings):
    settings.UPLOAD_IMAGE_MAX_PIXELS = 100
    buffer = io.BytesIO()
    Image.new("L", (20, 10)).save(buffer, "PNG")

    assert "20×10 像素,超过上限" in refusal(buffer.getvalue(), "大图.png", AttachmentKind.IMAGE)


def test_portal_upload_stores_the_reencoded_image(client):
    unit = make_unit(name="惠州市发展和改革局", verified=True)
    client.force_login(make_member(unit=unit, role=MembershipRole.ADMIN))
    case = make_case(edition=make_edition(), owner_unit=unit, category=None)
    category = make_category(edition=case.edition)

    response = client.post(
        reverse("portal:case-update", args=[case.pk]),
        portal_form(case, category, image_1=upload("现场.png", png_bytes() + HTML)),
    )

    assert response.status_code == 302
    stored = Attachment.objects.get(case=case, kind=AttachmentKind.IMAGE)
    with stored.file.open("rb") as handle:
        data = handle.read()
    assert HTML not in data
    assert pixels(data) == pixels(png_bytes())


def portal_form(case, category, **files):
    return {
        "media-TOTAL_FORMS": "2",
        "media-INITIAL_FORMS": "0",
        "media-0-url": "",
        "media-1-url": "",
        "category": category.pk,
        "title": case.title,
        "lead_units": "惠州市发展和改革局",
        "submitting_unit": "惠州市发展和改革局",
        "contact_name": "李明",
        "contact_phone": "0752-1234567",
        "contact_email": "liming@example.org",
        "summary": "摘要",
        "background": "背景",
        "practice": "做法",
        "outcomes": "成效",
        "promotion_value": "价值",
        **files,
    }


# --- PDFs -----------------------------------------------------------------------------------
def pdf_with(catalog_extra=b"", extra_objects=()):
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *extra_objects,
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj ".encode() + body + b" endobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    return (
        out
        + (
            f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        ).encode()
    )


def pdf_with_object_stream(action):
    """A PDF 1.5 whose objects all sit in one compressed object stream, found through a
    cross-reference stream: nothing of them is readable in the file's bytes."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        action,
    ]
    header, body, position = b"", b"", 0
    for number, obj in enumerate(bodies, 1):
        header += f"{number} {position} ".encode()
        body += obj + b"\n"
        position = len(body)
    packed = zlib.compress(header + body)
    out = b"%PDF-1.5\n"
    stream_offset = len(out)
    out += (
        (
            f"5 0 obj << /Type /ObjStm /N 4 /First {len(header)} /Filter /FlateDecode "
            f"/Length {len(packed)} >>\nstream\n"
        ).encode()
        + packed
        + b"\nendstream endobj\n"
    )
    xref_offset = len(out)
    rows = [struct.pack(">BIH", 0, 0, 0xFFFF)]
    rows += [struct.pack(">BIH", 2, 5, index) for index in range(4)]
    rows += [struct.pack(">BIH", 1, stream_offset, 0), struct.pack(">BIH", 1, xref_offset, 0)]
    table = b"".join(rows)
    out += (
        (
            f"6 0 obj << /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length {len(table)} >>\n"
            "stream\n"
        ).encode()
        + table
        + b"\nendstream endobj\n"
    )
    return out + f"startxref\n{xref_offset}\n%%EOF\n".encode()


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (
            pdf_with(b"/OpenAction 4 0 R", [b"<< /S /JavaScript /JS (app.alert(1)) >>"]),
            "/OpenAction",
        ),
        (pdf_with(b"/Outlines 4 0 R", [b"<< /A << /S /JavaScript /JS (x) >> >>"]), "/JavaScript"),
        (pdf_with(b"/Names << /JavaScript 4 0 R >>", [b"<< /Names [] >>"]), "/JavaScript"),
        (pdf_with(b"/AA << /WC 4 0 R >>", [b"<< /S /GoTo /D [3 0 R /Fit] >>"]), "/AA"),
        (pdf_with(b"/OpenAction << /S /Launch /F (cmd.exe) >>"), "/OpenAction"),
        (pdf_with(b"/Names << /EmbeddedFiles 4 0 R >>", [b"<< /Names [] >>"]), "/EmbeddedFiles"),
        # a name spelt with #xx escapes is the same name
        (pdf_with(b"/Outlines << /A << /S /J#61vaScript /J#53 (x) >> >>"), "/JavaScript"),
        (pdf_with_object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"), "/OpenAction"),
        (pdf_with_object_stream(b"<< /S /GoTo /D [3 0 R /Fit] /Next << /JS (x) >> >>"), "/JS"),
    ],
)
def test_pdf_that_can_run_something_is_refused(data, found):
    message = refusal(data, "申报书.pdf")

    assert f"含有脚本、自动动作或嵌入文件({found})" in message


def test_javascript_hidden_in_an_object_stream_is_not_in_the_raw_bytes():
    data = pdf_with_object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>")

    assert b"JavaScript" not in data and b"/JS" not in data


@pytest.mark.parametrize(
    "data",
    [
        pdf_bytes(),
        pdf_with(b"/OpenAction [3 0 R /Fit]"),  # a destination, not an action
        pdf_with_object_stream(b"<< /S /GoTo /D [3 0 R /Fit] >>"),
    ],
)
def test_plain_pdf_is_accepted(data):
    inspected = inspect_upload(upload("申报书.pdf", data), kind="application_form")

    assert (inspected.content_type, inspected.file.read()) == (PDF, data)


def test_pdf_that_cannot_be_parsed_is_refused():
    assert "不是完整有效的 PDF" in refusal(b"%PDF-1.4\n garbage", "申报书.pdf")


# --- clamd ----------------------------------------------------------------------------------
def test_eicar_upload_is_refused_quarantined_and_audited(client, clamd):
    unit = make_unit(verified=True)
    member = make_member(unit=unit, role=MembershipRole.ADMIN)
    client.force_login(member)
    case = make_case(edition=make_edition(), owner_unit=unit, category=None)
    category = make_category(edition=case.edition)
    infected = pdf_bytes() + EICAR

    response = client.post(
        reverse("portal:case-update", args=[case.pk]),
        portal_form(case, category, application_form=upload("申报书.pdf", infected)),
    )

    assert response.status_code == 200
    assert "被病毒扫描判定为恶意文件(Awards.Test.EICAR.UNOFFICIAL),已隔离" in response.text
    assert not Attachment.objects.filter(case=case).exists()
    kept = QuarantinedFile.objects.get()
    with kept.file.open("rb") as handle:
        assert handle.read() == infected
    assert (kept.original_name, kept.signature, kept.uploaded_by) == (
        "申报书.pdf",
        "Awards.Test.EICAR.UNOFFICIAL",
        member,
    )
    assert not kept.file.name.startswith("private/")
    entry = audited("cases.upload.quarantined", actor=member, obj=kept, result="refused")
    assert entry.data == {
        "filename": "申报书.pdf",
        "size": len(infected),
        "sha256": kept.sha256,
        "signature": "Awards.Test.EICAR.UNOFFICIAL",
    }


def test_project_marker_in_an_image_is_caught_before_reencoding(clamd):
    message = refusal(png_bytes() + MARKER, "现场.png", AttachmentKind.IMAGE)

    assert "Awards.Test.Marker.UNOFFICIAL" in message
    assert QuarantinedFile.objects.count() == 1
    assert AuditEntry.objects.get(code="cases.upload.quarantined").actor is None


def test_clean_upload_passes_the_scan(clamd):
    inspected = inspect_upload(upload("申报书.pdf", pdf_bytes()), kind="application_form")

    assert inspected.content_type == PDF
    assert not QuarantinedFile.objects.exists()


def test_unreachable_scanner_refuses_every_upload(settings, tmp_path, client):
    settings.CLAMD_SOCKET = str(tmp_path / "nothing-listens.sock")

    message = refusal(pdf_bytes(), "申报书.pdf")
    health = client.get("/healthz")

    assert "病毒扫描服务暂时不可用,“申报书.pdf”未能上传" in message
    assert not QuarantinedFile.objects.exists()
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["checks"]["antivirus"] == "error: unreachable, uploads refused"


def test_health_reports_the_scanner(client, clamd):
    response = client.get("/healthz")

    assert (response.status_code, response.json()["checks"]["antivirus"]) == (200, "ok")


def test_unreachable_tcp_scanner_refuses_too(settings):
    settings.CLAMD_SOCKET, settings.CLAMD_HOST, settings.CLAMD_PORT = "", "127.0.0.1", 9
    settings.CLAMD_TIMEOUT = 2

    assert "病毒扫描服务暂时不可用" in refusal(pdf_bytes(), "申报书.pdf")

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Attachment, AttachmentKind, MembershipRole
from cases.services import DomainError
from cases.services.submission import attachment_add
from cases.uploads import DOCX, JPEG, PDF, PNG, inspect_upload
from tests.factories import (
    docx_bytes,
    jpeg_bytes,
    make_attachment,
    make_case,
    make_category,
    make_edition,
    make_member,
    make_unit,
    pdf_bytes,
    png_bytes,
)

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
JPEG_BYTES = jpeg_bytes()


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(
    ("kind", "name", "data", "expected"),
    [
        (AttachmentKind.APPLICATION_FORM, "申报书.pdf", pdf_bytes(), PDF),
        (AttachmentKind.APPLICATION_FORM, "申报书.docx", docx_bytes(), DOCX),
        # the name plays no part: a PDF called .txt is a PDF
        (AttachmentKind.APPLICATION_FORM, "申报书.txt", pdf_bytes(), PDF),
        (AttachmentKind.SUPPORTING, "照片.jpg", JPEG_BYTES, JPEG),
        (AttachmentKind.IMAGE, "现场.png", png_bytes(), PNG),
    ],
)
def test_inspect_upload_accepts_by_content(kind, name, data, expected):
    inspected = inspect_upload(upload(name, data), kind=kind)

    stored = inspected.file.read()
    inspected.file.seek(0)
    assert inspected.content_type == expected
    assert (inspected.size, inspected.sha256) == (len(stored), hashlib.sha256(stored).hexdigest())
    if expected in (PDF, DOCX):  # kept as sent; images are re-encoded
        assert stored == data


@pytest.mark.parametrize(
    ("kind", "name", "data", "message"),
    [
        (AttachmentKind.APPLICATION_FORM, "申报书.pdf", EXE, "内容不是 PDF / Word(.docx) 文件"),
        (AttachmentKind.SUPPORTING, "材料.pdf", ELF, "内容不是 PDF / JPG / PNG 文件"),
        (AttachmentKind.IMAGE, "现场.png", HTML, "内容不是 JPG / PNG 文件"),
        (AttachmentKind.IMAGE, "现场.png", pdf_bytes(), "内容不是 JPG / PNG 文件"),
        (AttachmentKind.APPLICATION_FORM, "申报书.docx", b"PK\x03\x04" + b"\x00" * 50, "内容不是"),
        (AttachmentKind.APPLICATION_FORM, "申报书.pdf", b"", "是空文件"),
    ],
)
def test_inspect_upload_refuses_by_content(kind, name, data, message):
    with pytest.raises(ValidationError) as error:
        inspect_upload(upload(name, data), kind=kind)

    assert message in error.value.messages[0]


def test_docx_needs_word_document_inside_the_zip():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")  # an Excel file, not Word

    with pytest.raises(ValidationError):
        inspect_upload(upload("申报书.docx", buffer.getvalue()), kind="application_form")


def test_inspect_upload_refuses_oversize(settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 100

    with pytest.raises(ValidationError) as error:
        inspect_upload(upload("big.pdf", pdf_bytes() + b"0" * 200), kind="application_form")

    assert "超过单个文件" in error.value.messages[0]


# --- through the case form ------------------------------------------------------------------
@pytest.fixture
def member_case():
    edition = make_edition()
    category = make_category(edition=edition)
    unit = make_unit(verified=True)
    member = make_member(unit=unit, role=MembershipRole.ADMIN)
    case = make_case(edition=edition, category=category, owner_unit=unit)
    return member, case


def post_form(client, case, **files):
    data = {
        "media-TOTAL_FORMS": "0",
        "media-INITIAL_FORMS": "0",
        "title": case.title,
        "category": case.category_id,
        "summary": "我们写的简介",
        "save": "1",
        **files,
    }
    return client.post(reverse("portal:case-update", args=[case.pk]), data)


@pytest.mark.parametrize(
    ("field", "name", "data", "message"),
    [
        ("application_form", "申报书.pdf", EXE, "的内容不是 PDF / Word(.docx) 文件"),
        ("image_1", "现场.png", HTML, "的内容不是 JPG / PNG 文件"),
        ("supporting_files", "材料.pdf", b"", "是空文件"),
    ],
)
def test_case_form_refuses_bad_upload_with_message_and_keeps_text(
    client, member_case, field, name, data, message
):
    member, case = member_case
    client.force_login(member)

    response = post_form(client, case, **{field: upload(name, data)})

    assert response.status_code == 200
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert Attachment.objects.count() == 0
    case.refresh_from_db()
    assert case.summary == "我们写的简介"  # the text was saved as a draft all the same


def test_case_form_refuses_oversize_upload(client, member_case, settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 1024
    member, case = member_case
    client.force_login(member)

    response = post_form(
        client, case, application_form=upload("申报书.pdf", pdf_bytes() + b" " * 2000)
    )

    assert "超过单个文件 1.0\xa0KB 的上限" in response.text
    assert Attachment.objects.count() == 0


def test_case_form_stores_accepted_file_under_random_name_with_content_suffix(client, member_case):
    member, case = member_case
    client.force_login(member)

    post_form(client, case, application_form=upload("我的申报书.PDF.txt", pdf_bytes()))

    attachment = Attachment.objects.get()
    assert attachment.original_name == "我的申报书.PDF.txt"
    assert attachment.content_type == PDF
    assert attachment.file.name.startswith("private/attachments/")
    assert attachment.file.name.endswith(".pdf")
    assert "申报书" not in attachment.file.name


def test_accepted_upload_is_kept_when_other_fields_have_errors(client, member_case):
    member, case = member_case
    client.force_login(member)

    response = post_form(
        client,
        case,
        contact_email="not-an-email",
        application_form=upload("申报书.pdf", pdf_bytes()),
    )

    assert response.status_code == 200
    assert "输入一个有效的 Email 地址。" in response.text
    assert Attachment.objects.filter(case=case, kind="application_form").count() == 1
    assert "申报书.pdf" in response.text  # listed as already uploaded
    assert 'value="not-an-email"' in response.text  # and what was typed is shown again


def test_new_application_form_replaces_previous(member_case):
    member, case = member_case
    old = make_attachment(case=case)

    attachment_add(
        case=case,
        upload=inspect_upload(upload("新.docx", docx_bytes()), kind="application_form"),
        kind="application_form",
        by=member,
    )

    assert list(case.attachments.values_list("original_name", flat=True)) == ["新.docx"]
    assert not Attachment.objects.filter(pk=old.pk).exists()


def test_at_most_three_images(member_case):
    member, case = member_case
    for i in range(3):
        make_attachment(case=case, kind="image", name=f"{i}.png", data=png_bytes())

    with pytest.raises(DomainError) as error:
        attachment_add(
            case=case,
            upload=inspect_upload(upload("4.png", png_bytes()), kind="image"),
            kind="image",
            by=member,
        )

    assert "最多上传 3 张图片" in str(error.value)


def test_total_size_per_case_is_limited(member_case, settings):
    member, case = member_case
    make_attachment(case=case, kind="supporting", data=pdf_bytes() + b" " * 500)
    settings.CASE_ATTACHMENTS_TOTAL_MAX_BYTES = 600

    with pytest.raises(DomainError) as error:
        attachment_add(
            case=case,
            upload=inspect_upload(upload("b.pdf", pdf_bytes() + b" " * 200), kind="supporting"),
            kind="supporting",
            by=member,
        )

    assert "超过每个案例" in str(error.value)
    assert case.attachments.count() == 1


def test_remove_attachment_through_form(client, member_case):
    member, case = member_case
    attachment = make_attachment(case=case, kind="supporting", name="旧材料.pdf")
    client.force_login(member)

    post_form(client, case, remove_attachments=[attachment.pk])

    assert not Attachment.objects.filter(pk=attachment.pk).exists()


def test_media_url_is_not_served(client, member_case):
    member, case = member_case
    attachment = make_attachment(case=case)
    client.force_login(member)

    response = client.get("/media-not-served/" + attachment.file.name)

    assert response.status_code == 404

"""Checks of uploaded case files by their content, never by their name.

A file's type is read from its first bytes (magic numbers) and, for .docx, from its zip
structure; the name the user gave it plays no part. Whatever the file claims to be, an
executable, an HTML page or an empty file is refused. Then, by type: Office files are held
to the zip-bomb limits (`archives`), PDFs that can run something are refused (`pdfs`),
images are re-encoded (`images`); and clamd scans every upload when configured
(`quarantine`). `inspect_file` is the one door every upload goes through.
"""

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..models import AttachmentKind
from .archives import check_archive
from .images import reencode
from .pdfs import check_pdf
from .quarantine import scan_or_refuse

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
JPEG = "image/jpeg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXTENSIONS = {PDF: "pdf", DOCX: "docx", PNG: "png", JPEG: "jpg", XLSX: "xlsx"}
LABELS = {PDF: "PDF", DOCX: "Word(.docx)", PNG: "PNG", JPEG: "JPG", XLSX: "Excel(.xlsx)"}

ALLOWED_TYPES = {
    AttachmentKind.APPLICATION_FORM: (PDF, DOCX),
    AttachmentKind.SUPPORTING: (PDF, JPEG, PNG),
    AttachmentKind.IMAGE: (JPEG, PNG),
}

MAX_IMAGES = 3


@dataclass(frozen=True)
class InspectedFile:
    """An upload whose content was checked: what it really is, its size and digest."""

    file: object
    original_name: str
    content_type: str
    size: int
    sha256: str

    @property
    def extension(self):
        return EXTENSIONS[self.content_type]


def _is_docx(file):
    return _zip_has(file, "word/document.xml")


def _is_xlsx(file):
    return _zip_has(file, "xl/workbook.xml")


def _zip_has(file, part):
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        file.seek(0)
    return part in names and "[Content_Types].xml" in names


def sniff_content_type(file):
    """The content type the bytes show (one of those we accept), or None."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04") and _is_docx(file):
        return DOCX
    if head.startswith(b"PK\x03\x04") and _is_xlsx(file):
        return XLSX
    return None


def _digest(file):
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(64 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def inspect_file(file, *, allowed):
    """Check an uploaded file against the content types in `allowed`; return an
    `InspectedFile` or raise `ValidationError` with a message for the person who chose it."""
    name = getattr(file, "name", "") or ""
    size = file.size
    limit = settings.CASE_ATTACHMENT_MAX_BYTES
    if size == 0:
        raise ValidationError(_("“%(name)s”是空文件,请重新选择。") % {"name": name})
    if size > limit:
        raise ValidationError(
            _("“%(name)s”大小为 %(size)s,超过单个文件 %(limit)s 的上限。")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    sha256 = _digest(file)
    scan_or_refuse(file, name=name, size=size, sha256=sha256)
    content_type = sniff_content_type(file)
    if content_type not in allowed:
        raise ValidationError(
            _("“%(name)s”的内容不是 %(types)s 文件(系统按文件内容识别,而不是按扩展名)。")
            % {"name": name, "types": " / ".join(LABELS[t] for t in allowed)}
        )
    if content_type == DOCX:
        check_archive(file, name)
    elif content_type == PDF:
        check_pdf(file, name)
    else:
        data = reencode(file, content_type, name)
        file = ContentFile(data, name=name)
        size, sha256 = len(data), hashlib.sha256(data).hexdigest()
    return InspectedFile(
        file=file,
        original_name=name[-255:],
        content_type=content_type,
        size=size,
        sha256=sha256,
    )


def inspect_upload(file, *, kind):
    """Check an uploaded file for a case attachment of `kind` (see `inspect_file`)."""
    return inspect_file(file, allowed=ALLOWED_TYPES[AttachmentKind(kind)])

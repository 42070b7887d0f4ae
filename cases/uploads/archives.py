"""Office and zip files: refused above a total uncompressed size, a number of entries and a
compression ratio (zip bombs, SECURITY.md UP-03). Nothing is ever extracted to disk; the
entries are read through once in memory-bounded chunks so that a size the archive lies
about ends in a CRC error instead of a bomb."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Entries smaller than this are not held to the ratio: a few kilobytes of repeated XML
# legitimately compress a hundredfold.
RATIO_MIN_ENTRY_BYTES = 1024 * 1024


def check_archive(file, name):
    max_bytes = settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES
    max_entries = settings.UPLOAD_ZIP_MAX_ENTRIES
    max_ratio = settings.UPLOAD_ZIP_MAX_RATIO
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if len(entries) > max_entries:
                raise ValidationError(
                    _("“%(name)s”内含 %(count)s 个文件,超过 %(limit)s 个的上限。")
                    % {"name": name, "count": len(entries), "limit": max_entries}
                )
            total = sum(entry.file_size for entry in entries)
            packed = max(sum(entry.compress_size for entry in entries), 1)
            if total > max_bytes:
                raise ValidationError(
                    _("“%(name)s”解压后为 %(size)s,超过 %(limit)s 的上限。")
                    % {
                        "name": name,
                        "size": filesizeformat(total),
                        "limit": filesizeformat(max_bytes),
                    }
                )
            ratios = [total / packed] + [
                entry.file_size / max(entry.compress_size, 1)
                for entry in entries
                if entry.file_size >= RATIO_MIN_ENTRY_BYTES
            ]
            if max(ratios) > max_ratio:
                raise ValidationError(
                    _("“%(name)s”的压缩比为 %(ratio)s:1,超过 %(limit)s:1 的上限,疑似压缩炸弹。")
                    % {"name": name, "ratio": int(max(ratios)), "limit": max_ratio}
                )
            read = 0
            for entry in entries:
                with archive.open(entry) as member:
                    for chunk in iter(lambda member=member: member.read(64 * 1024), b""):
                        read += len(chunk)
                        if read > max_bytes:
                            raise ValidationError(
                                _("“%(name)s”解压后超过 %(limit)s 的上限。")
                                % {"name": name, "limit": filesizeformat(max_bytes)}
                            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        raise ValidationError(
            _("“%(name)s”已损坏或无法读取,请重新保存后上传。") % {"name": name}
        ) from error
    finally:
        file.seek(0)

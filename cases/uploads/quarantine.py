"""The virus scan of every upload (when clamd is configured) and the quarantine of what it
flags (SECURITY.md UP-05)."""

import logging

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.utils.translation import gettext as _

from .. import antivirus
from ..audit.context import current_request
from ..models import AuditResult, QuarantinedFile

logger = logging.getLogger(__name__)


def scan_or_refuse(file, *, name, size, sha256):
    """Nothing when clamd is not configured or finds the file clean. An infected file is
    kept in quarantine (never in a case), audited, and refused; an unreachable scanner
    refuses every upload (fail closed)."""
    if not antivirus.scanner_configured():
        return
    try:
        result = antivirus.scan(file)
    except antivirus.ScannerUnavailable as error:
        logger.error("virus scanner unavailable, upload refused: %s", error)
        raise ValidationError(
            _("病毒扫描服务暂时不可用,“%(name)s”未能上传。请稍后再试;如持续出现,请联系组织方。")
            % {"name": name}
        ) from None
    if result.infected:
        quarantine(file, name=name, size=size, sha256=sha256, signature=result.signature)
        raise ValidationError(
            _("“%(name)s”被病毒扫描判定为恶意文件(%(signature)s),已隔离,未保存到案例中。")
            % {"name": name, "signature": result.signature}
        )


def quarantine(file, *, name, size, sha256, signature):
    from ..services.lifecycle import audit_log

    request = current_request()
    user = getattr(request, "user", None)
    uploader = user if user is not None and user.is_authenticated else None
    file.seek(0)
    kept = QuarantinedFile(
        original_name=name[-255:],
        size=size,
        sha256=sha256,
        signature=signature[:255],
        uploaded_by=uploader,
    )
    kept.file.save("quarantined", File(file), save=False)
    kept.save()
    file.seek(0)
    audit_log(
        code="cases.upload.quarantined",
        obj=kept,
        by=uploader,
        result=AuditResult.REFUSED,
        data={"filename": name, "size": size, "sha256": sha256, "signature": signature},
    )
    logger.warning("upload quarantined: signature=%s sha256=%s", signature, sha256)
    return kept

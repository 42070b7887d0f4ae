"""Exports of a round's scores built by the task queue (`judging.tasks`): inline in the
embedded default, on a Huey worker in production, so that writing 10,000 reviews to xlsx
never holds up a request."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.services import DomainError, audit_log

from ..exports import round_csv, round_xlsx
from ..models import ExportFormat, ExportStatus, RoundExport, RoundKind

logger = logging.getLogger(__name__)


def round_export_request(*, round, fmt, anonymous, by):
    """Record the request and queue the file's making once the request's transaction has
    committed (the worker must find the row). Returns the pending `RoundExport`."""
    from ..tasks import build_round_export

    if round.kind != RoundKind.SCORING:
        raise DomainError(_("只有评分轮次可以导出评分。"))
    fmt = ExportFormat(fmt)
    with transaction.atomic():
        export = RoundExport.objects.create(
            round=round, fmt=fmt, anonymous=anonymous, requested_by=by
        )
        audit_log(
            code="judging.round.export_requested",
            obj=round,
            by=by,
            data={"export": export.pk, "format": fmt.value, "anonymous": anonymous},
        )
        transaction.on_commit(lambda: build_round_export(export.pk))
    return export


def round_export_build(*, export_id):
    """Write the file of a pending export and mark it done, or failed with the error's
    name. Runs once: a task delivered twice finds the export no longer pending."""
    claimed = RoundExport.objects.filter(pk=export_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING
    )
    if not claimed:
        return None
    export = RoundExport.objects.select_related("round").get(pk=export_id)
    try:
        if export.fmt == ExportFormat.XLSX:
            content = round_xlsx(export.round, anonymous=export.anonymous)
        else:
            content = round_csv(export.round, anonymous=export.anonymous).encode("utf-8")
        export.file.save(export.filename, ContentFile(content), save=False)
    except Exception as error:  # the task's boundary: any failure is recorded on the row
        logger.exception("export %s of round %s failed", export.pk, export.round_id)
        export.status = ExportStatus.FAILED
        export.error = type(error).__name__[:200]
    else:
        export.status = ExportStatus.DONE
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "status", "error", "finished_at"])
    return export

"""Audit rows for what leaves the system: every case-file download and every export
(SECURITY.md LOG-01). Views call these right before returning the file."""

from .chain import append, entry_values


def audit_download(*, code, obj, request, filename, **data):
    """One row for a file sent to `request.user`: what (`obj`), under which name, and any
    detail (`case`, `round`, `size`, `sha256`…)."""
    from ..services.lifecycle import audit_log

    return audit_log(
        code=code, obj=obj, by=request.user, data={"filename": filename, **data}, request=request
    )


def audit_model_export(
    *, model, request, file_format, rows, filename, fields=(), code=None, edition=None, **extra
):
    """One row for a back-office export of `rows` objects of `model`: the object is the
    edition when the export is one edition's, else the model as a whole (`object_id` "*")."""
    if edition is not None:
        target = {"obj": edition}
    else:
        target = {
            "object_type": model._meta.label_lower,
            "object_id": "*",
            "object_repr": str(model._meta.verbose_name_plural),
        }
    values = entry_values(
        code=code or f"{model._meta.label_lower}.exported",
        by=request.user,
        request=request,
        data={
            "model": model._meta.label_lower,
            "format": file_format,
            "rows": rows,
            "filename": filename,
            "fields": list(fields),
            **extra,
        },
        **target,
    )
    return append([values])[0]

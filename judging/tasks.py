"""Background tasks of judging (Huey): inline in the embedded default, on a worker
(`manage.py run_huey`) when TASK_QUEUE_URL points at Redis."""

from huey.contrib.djhuey import db_task


@db_task()
def build_round_export(export_id):
    from .services.exports import round_export_build

    round_export_build(export_id=export_id)

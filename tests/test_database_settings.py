"""Database settings from the environment: on PostgreSQL, statements run often are prepared
(parameters bound by the server), unless DB_PREPARED_STATEMENTS=0 (behind a pooler that
cannot keep them)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from cases.models import Unit

ROOT = Path(__file__).resolve().parent.parent


def _database_options(**env):
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {}), default=str))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DB_PREPARED_STATEMENTS"}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL="postgres://awards@db.example.org:5432/awards",
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_postgresql_prepares_statements_unless_told_not_to():
    on = _database_options()
    assert on["server_side_binding"] is True and on["prepare_threshold"] == 5
    off = _database_options(DB_PREPARED_STATEMENTS="0")
    assert "server_side_binding" not in off and "prepare_threshold" not in off


@pytest.mark.django_db
def test_a_statement_run_often_is_prepared_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    if connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold") is None:
        pytest.skip("DB_PREPARED_STATEMENTS=0")
    unit = Unit.objects.create(name="汕头市政务服务数据管理局")

    for _ in range(6):
        assert Unit.objects.get(pk=unit.pk).name == unit.name

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "cases_unit" WHERE "cases_unit"."id" = $1%'],
        )
        (prepared,) = cursor.fetchone()
    assert prepared == 1

"""The assignment's round and judge lose their own indexes (issue 12): the unique
constraint's index (round, case, judge) starts with the round and the queue index (judge,
round, status, case) with the judge, so every lookup by either keeps an index, and a round's
40,000 inserted rows keep up four indexes instead of six.

Only the indexes are dropped: an `AlterField` would remake the table on SQLite, and with it
lose the table's round-data trigger (0012)."""

import django.db.models.deletion
from django.db import migrations, models

ROUND_INDEX = "judging_assignment_round_id_d7bca146"
JUDGE_INDEX = "judging_assignment_judge_id_d64f4511"


class Migration(migrations.Migration):
    dependencies = [
        ("judging", "0013_assignment_queue_index_covers_case"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{ROUND_INDEX}"',
                    f'CREATE INDEX "{ROUND_INDEX}" ON "judging_assignment" ("round_id")',
                ),
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{JUDGE_INDEX}"',
                    f'CREATE INDEX "{JUDGE_INDEX}" ON "judging_assignment" ("judge_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="assignment",
                    name="judge",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="judging.judge",
                        verbose_name="专家",
                    ),
                ),
                migrations.AlterField(
                    model_name="assignment",
                    name="round",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="judging.round",
                        verbose_name="轮次",
                    ),
                ),
            ],
        ),
    ]

"""The round data version (`RoundDataVersion`, `RoundDataChange`), kept by database triggers:
the ranking page reads one row to know whether its figures are still those of the round's
data, instead of an aggregate over every review of the round, and reads the changed reviews
from `RoundDataChange` (issue 12). PostgreSQL fires once per statement on the tables written
in bulk (a tabulation writes thousands of entries in a few statements); SQLite per row."""

from django.db import migrations, models

# Every row of one SQLite trigger body that bumps the version of the round `{round}` and
# logs `{review}` with the version it made.
SQLITE_REVIEW_BUMP = """
    UPDATE judging_rounddataversion SET version = version + 1 WHERE round_id = {round};
    INSERT INTO judging_rounddatachange (round_id, seq, review_id)
        SELECT round_id, version, {review} FROM judging_rounddataversion WHERE round_id = {round};
"""
SQLITE_ROUND_OF_REVIEW = "(SELECT round_id FROM judging_assignment WHERE id = {row}.assignment_id)"
SQLITE_ROUND_OF_SCORE = (
    "(SELECT a.round_id FROM judging_assignment a JOIN judging_review r "
    "ON r.assignment_id = a.id WHERE r.id = {row}.review_id)"
)
SQLITE_ENTRIES_BUMP = (
    "UPDATE judging_rounddataversion SET version = version + 1, entries = entries + 1 "
    "WHERE round_id IN ({rounds});"
)

ROUNDS_OF_CASE = "SELECT round_id FROM judging_roundentry WHERE case_id = NEW.id"
ROUNDS_OF_CATEGORY = (
    "SELECT e.round_id FROM judging_roundentry e JOIN cases_case c ON c.id = e.case_id "
    "WHERE c.category_id = NEW.id"
)


def _sqlite_forward():
    statements = [
        """CREATE TRIGGER judging_round_data_new AFTER INSERT ON judging_round BEGIN
            INSERT OR IGNORE INTO judging_rounddataversion (round_id, version, entries, token, pruned)
            VALUES (NEW.id, 0, 0, random(), 0);
        END"""
    ]
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        for table, round_of, review in (
            ("judging_review", SQLITE_ROUND_OF_REVIEW, "{row}.id"),
            ("judging_criterionscore", SQLITE_ROUND_OF_SCORE, "{row}.review_id"),
        ):
            body = SQLITE_REVIEW_BUMP.format(
                round=round_of.format(row=row), review=review.format(row=row)
            )
            statements.append(
                f"CREATE TRIGGER {table}_data_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {body} END"
            )
        statements.append(
            f"CREATE TRIGGER judging_roundentry_data_{event.lower()} AFTER {event} "
            f"ON judging_roundentry BEGIN "
            f"{SQLITE_ENTRIES_BUMP.format(rounds=f'{row}.round_id')} END"
        )
        statements.append(
            f"CREATE TRIGGER judging_criterion_data_{event.lower()} AFTER {event} "
            f"ON judging_criterion BEGIN "
            f"{SQLITE_REVIEW_BUMP.format(round=f'{row}.round_id', review='NULL')} END"
        )
    statements += [
        f"""CREATE TRIGGER judging_assignment_data_update AFTER UPDATE ON judging_assignment
        WHEN OLD.round_id IS NOT NEW.round_id OR OLD.case_id IS NOT NEW.case_id
            OR OLD.judge_id IS NOT NEW.judge_id
        BEGIN
            {SQLITE_REVIEW_BUMP.format(round="OLD.round_id", review="NULL")}
            {SQLITE_REVIEW_BUMP.format(round="NEW.round_id", review="NULL")}
        END""",
        f"""CREATE TRIGGER judging_case_data_update AFTER UPDATE ON cases_case
        WHEN OLD.reference IS NOT NEW.reference OR OLD.title IS NOT NEW.title
            OR OLD.category_id IS NOT NEW.category_id
        BEGIN
            {SQLITE_ENTRIES_BUMP.format(rounds=ROUNDS_OF_CASE)}
        END""",
        f"""CREATE TRIGGER judging_category_data_update AFTER UPDATE ON cases_category
        WHEN OLD.name IS NOT NEW.name OR OLD."order" IS NOT NEW."order"
        BEGIN
            {SQLITE_ENTRIES_BUMP.format(rounds=ROUNDS_OF_CATEGORY)}
        END""",
    ]
    return statements


SQLITE_TRIGGERS = [
    "judging_round_data_new",
    *(
        f"{table}_data_{event}"
        for table in ("judging_review", "judging_criterionscore", "judging_roundentry")
        + ("judging_criterion",)
        for event in ("insert", "update", "delete")
    ),
    "judging_assignment_data_update",
    "judging_case_data_update",
    "judging_category_data_update",
]

# One PostgreSQL trigger function per table whose rows name a review: bump the version of
# the rounds of the statement's reviews and log each review with the version it made.
POSTGRES_REVIEW_BUMP = """CREATE OR REPLACE FUNCTION {name}() RETURNS trigger{declare}
    BEGIN
        WITH changed AS (
            SELECT DISTINCT a.round_id, {review}
            {changed}
        ), bumped AS (
            UPDATE judging_rounddataversion v SET version = v.version + 1
            WHERE v.round_id IN (SELECT round_id FROM changed)
            RETURNING v.round_id, v.version
        )
        INSERT INTO judging_rounddatachange (round_id, seq, review_id)
        SELECT c.round_id, b.version, c.review_id FROM changed c JOIN bumped b USING (round_id);
        RETURN NULL;
    END $$"""

POSTGRES_FUNCTIONS = [
    """CREATE OR REPLACE FUNCTION judging_round_data_new() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO judging_rounddataversion (round_id, version, entries, token, pruned)
        VALUES (NEW.id, 0, 0, floor(random() * 9e15)::bigint, 0) ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$""",
    # `changed_rows`: the statement's transition table (new rows, or old ones on DELETE).
    *(
        POSTGRES_REVIEW_BUMP.format(name=name, declare=declare, review=review, changed=changed)
        for name, declare, review, changed in (
            (
                "judging_review_data",
                " LANGUAGE plpgsql AS $$",
                "r.id AS review_id",
                "FROM changed_rows r JOIN judging_assignment a ON a.id = r.assignment_id",
            ),
            (
                "judging_criterionscore_data",
                "\n    LANGUAGE plpgsql AS $$",
                "s.review_id",
                "FROM changed_rows s JOIN judging_review r ON r.id = s.review_id\n"
                "            JOIN judging_assignment a ON a.id = r.assignment_id",
            ),
        )
    ),
    """CREATE OR REPLACE FUNCTION judging_roundentry_data() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE judging_rounddataversion SET version = version + 1, entries = entries + 1
        WHERE round_id IN (SELECT round_id FROM changed_rows);
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION judging_round_data_full(p_round bigint) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        WITH bumped AS (
            UPDATE judging_rounddataversion SET version = version + 1 WHERE round_id = p_round
            RETURNING round_id, version
        )
        INSERT INTO judging_rounddatachange (round_id, seq, review_id)
        SELECT round_id, version, NULL FROM bumped;
    END $$""",
    """CREATE OR REPLACE FUNCTION judging_criterion_data() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN PERFORM judging_round_data_full(OLD.round_id); END IF;
        IF TG_OP <> 'DELETE' THEN PERFORM judging_round_data_full(NEW.round_id); END IF;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION judging_assignment_data() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM judging_round_data_full(OLD.round_id);
        IF NEW.round_id <> OLD.round_id THEN PERFORM judging_round_data_full(NEW.round_id); END IF;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION judging_case_data() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE judging_rounddataversion SET version = version + 1, entries = entries + 1
        WHERE round_id IN (
            SELECT e.round_id FROM judging_roundentry e
            JOIN new_rows n ON n.id = e.case_id JOIN old_rows o ON o.id = n.id
            WHERE n.reference IS DISTINCT FROM o.reference OR n.title IS DISTINCT FROM o.title
                OR n.category_id IS DISTINCT FROM o.category_id
        );
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION judging_category_data() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE judging_rounddataversion SET version = version + 1, entries = entries + 1
        WHERE round_id IN (
            SELECT e.round_id FROM judging_roundentry e JOIN cases_case c ON c.id = e.case_id
            WHERE c.category_id = NEW.id
        );
        RETURN NULL;
    END $$""",
]


def _postgres_triggers():
    statements = [
        "CREATE TRIGGER judging_round_data_new AFTER INSERT ON judging_round "
        "FOR EACH ROW EXECUTE FUNCTION judging_round_data_new()"
    ]
    for event, rows in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        for table in ("judging_review", "judging_criterionscore", "judging_roundentry"):
            statements.append(
                f"CREATE TRIGGER {table}_data_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {rows} TABLE AS changed_rows "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_data()"
            )
    statements += [
        "CREATE TRIGGER judging_criterion_data AFTER INSERT OR UPDATE OR DELETE "
        "ON judging_criterion FOR EACH ROW EXECUTE FUNCTION judging_criterion_data()",
        "CREATE TRIGGER judging_assignment_data AFTER UPDATE ON judging_assignment FOR EACH ROW "
        "WHEN (OLD.round_id <> NEW.round_id OR OLD.case_id <> NEW.case_id "
        "OR OLD.judge_id <> NEW.judge_id) EXECUTE FUNCTION judging_assignment_data()",
        "CREATE TRIGGER judging_case_data AFTER UPDATE ON cases_case "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION judging_case_data()",
        "CREATE TRIGGER judging_category_data AFTER UPDATE ON cases_category FOR EACH ROW "
        'WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD."order" IS DISTINCT FROM NEW."order") '
        "EXECUTE FUNCTION judging_category_data()",
    ]
    return statements


POSTGRES_TRIGGERS = [
    ("judging_round_data_new", "judging_round"),
    *(
        (f"{table}_data_{event}", table)
        for table in ("judging_review", "judging_criterionscore", "judging_roundentry")
        for event in ("insert", "update", "delete")
    ),
    ("judging_criterion_data", "judging_criterion"),
    ("judging_assignment_data", "judging_assignment"),
    ("judging_case_data", "cases_case"),
    ("judging_category_data", "cases_category"),
]
POSTGRES_FUNCTION_NAMES = [
    "judging_round_data_new()",
    "judging_review_data()",
    "judging_criterionscore_data()",
    "judging_roundentry_data()",
    "judging_criterion_data()",
    "judging_assignment_data()",
    "judging_case_data()",
    "judging_category_data()",
    "judging_round_data_full(bigint)",
]

# The rounds made before the triggers.
BACKFILL = {
    "postgresql": "INSERT INTO judging_rounddataversion (round_id, version, entries, token, pruned) "
    "SELECT id, 0, 0, floor(random() * 9e15)::bigint, 0 FROM judging_round",
    "sqlite": "INSERT INTO judging_rounddataversion (round_id, version, entries, token, pruned) "
    "SELECT id, 0, 0, random(), 0 FROM judging_round",
}


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = [*POSTGRES_FUNCTIONS, *_postgres_triggers()]
    elif vendor == "sqlite":
        statements = _sqlite_forward()
    else:
        raise NotImplementedError(f"no round data triggers for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)
    schema_editor.execute(BACKFILL[vendor])


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table in POSTGRES_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for name in POSTGRES_FUNCTION_NAMES:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}")
    else:
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_privacy_consent"),
        ("judging", "0011_search_stored_tsvector"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoundDataVersion",
            fields=[
                ("round_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
                ("entries", models.BigIntegerField(default=0)),
                ("token", models.BigIntegerField(default=0)),
                ("pruned", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "轮次数据版本",
                "verbose_name_plural": "轮次数据版本",
                "default_permissions": (),
            },
        ),
        migrations.CreateModel(
            name="RoundDataChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("round_id", models.BigIntegerField()),
                ("seq", models.BigIntegerField()),
                ("review_id", models.BigIntegerField(null=True)),
            ],
            options={
                "verbose_name": "轮次数据变更",
                "verbose_name_plural": "轮次数据变更",
                "default_permissions": (),
                "indexes": [
                    models.Index(fields=["round_id", "seq"], name="round_data_change_seq_idx")
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]

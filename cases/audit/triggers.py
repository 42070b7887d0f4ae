"""Database triggers that make the audit trail append-only whatever the client: the ORM,
raw SQL or a database console all get an error on UPDATE or DELETE (and TRUNCATE on
PostgreSQL). The chain head may only move forward and is never deleted.

Used by migration `cases.0004` and by tests that must drop them to simulate an attacker
with DDL rights (which `verify_audit` then catches).
"""

AUDIT_TABLE = "cases_auditentry"
HEAD_TABLE = "cases_auditchainhead"

POSTGRESQL_CREATE = [
    """
    CREATE OR REPLACE FUNCTION cases_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    f"""CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON {AUDIT_TABLE}
        FOR EACH ROW EXECUTE FUNCTION cases_audit_refuse()""",
    f"""CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {AUDIT_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION cases_audit_refuse()""",
    f"""CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON {HEAD_TABLE}
        FOR EACH ROW EXECUTE FUNCTION cases_audit_refuse()""",
    f"""CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON {HEAD_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION cases_audit_refuse()""",
    f"""CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON {HEAD_TABLE}
        FOR EACH ROW WHEN (NEW.seq <= OLD.seq OR NEW.id <> OLD.id)
        EXECUTE FUNCTION cases_audit_refuse()""",
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS audit_no_update_delete ON {AUDIT_TABLE}",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {AUDIT_TABLE}",
    f"DROP TRIGGER IF EXISTS audit_head_no_delete ON {HEAD_TABLE}",
    f"DROP TRIGGER IF EXISTS audit_head_no_truncate ON {HEAD_TABLE}",
    f"DROP TRIGGER IF EXISTS audit_head_forward_only ON {HEAD_TABLE}",
    "DROP FUNCTION IF EXISTS cases_audit_refuse()",
]

SQLITE_CREATE = [
    f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON {AUDIT_TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON {AUDIT_TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: DELETE refused'); END""",
    f"""CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON {HEAD_TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit chain head: DELETE refused'); END""",
    f"""CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON {HEAD_TABLE}
        WHEN NEW.seq <= OLD.seq OR NEW.id <> OLD.id
        BEGIN SELECT RAISE(ABORT, 'audit chain head: only moves forward'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_no_delete",
    "DROP TRIGGER IF EXISTS audit_head_no_delete",
    "DROP TRIGGER IF EXISTS audit_head_forward_only",
]

STATEMENTS = {
    "postgresql": (POSTGRESQL_CREATE, POSTGRESQL_DROP),
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
}


def _run(connection, statements):
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection):
    if connection.vendor not in STATEMENTS:
        raise NotImplementedError(
            f"no append-only triggers for {connection.vendor}; add them to cases.audit.triggers"
        )
    _run(connection, STATEMENTS[connection.vendor][0])


def drop(connection):
    _run(connection, STATEMENTS[connection.vendor][1])

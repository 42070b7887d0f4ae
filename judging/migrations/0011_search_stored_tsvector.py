"""PostgreSQL search: the segmented terms' tsvector stored in a generated column with its GIN
index, instead of an index on the expression: `ts_rank` then reads the stored vector rather
than parsing every matching document again (bench/search.py, 20,000 documents: median
104 → 10 ms).
Nothing changes on SQLite (FTS5)."""

from django.db import migrations

FORWARD = [
    "ALTER TABLE judging_searchdocument ADD COLUMN IF NOT EXISTS terms_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED",
    "CREATE INDEX IF NOT EXISTS search_terms_vector_gin ON judging_searchdocument "
    "USING gin (terms_vector)",
    "DROP INDEX IF EXISTS search_terms_gin",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS search_terms_gin ON judging_searchdocument "
    "USING gin (to_tsvector('simple', terms))",
    "DROP INDEX IF EXISTS search_terms_vector_gin",
    "ALTER TABLE judging_searchdocument DROP COLUMN IF EXISTS terms_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("judging", "0010_sec_privilege_permissions")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]

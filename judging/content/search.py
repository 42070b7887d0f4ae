"""One search across published articles, public cases and approved citations.

Texts are stored pre-segmented (`SearchDocument.terms`, see `segment.py`); a query is segmented
the same way and every one of its words must occur (AND), wherever it stands in the text.
- PostgreSQL: the stored generated column `terms_vector` (`to_tsvector('simple', terms)`,
  migration 0011) with its GIN index, ranked by `ts_rank` on the stored vector.
- SQLite: an FTS5 table over `terms` (kept in step by triggers), ranked by `bm25`.
Both indexes are created by the migration for their own database only.
"""

import re

from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import SearchDocument
from .segment import query_terms

SNIPPET_CHARS = 120

_POSTGRES_SQL = (
    "SELECT id, ts_rank(terms_vector, plainto_tsquery('simple', %s)) AS rank "
    "FROM judging_searchdocument "
    "WHERE terms_vector @@ plainto_tsquery('simple', %s) AND visible_from <= %s "
    "ORDER BY rank DESC, visible_from DESC, id DESC LIMIT %s"
)
_SQLITE_SQL = (
    "SELECT d.id, bm25(judging_searchdocument_fts) AS rank "
    "FROM judging_searchdocument_fts JOIN judging_searchdocument d "
    "ON d.id = judging_searchdocument_fts.rowid "
    "WHERE judging_searchdocument_fts MATCH %s AND d.visible_from <= %s "
    "ORDER BY rank ASC, d.visible_from DESC, d.id DESC LIMIT %s"
)


def _fts5_query(terms):
    # Each word as an FTS5 string (double quotes doubled): nothing in a query is syntax.
    return " ".join('"{}"'.format(term.replace('"', '""')) for term in terms)


def matching_ids(terms, *, at=None, limit=50):
    """Ids of visible documents containing every term, best first (one query)."""
    if not terms:
        return []
    at = at or timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            joined = " ".join(terms)
            cursor.execute(_POSTGRES_SQL, [joined, joined, at, limit])
        else:
            cursor.execute(_SQLITE_SQL, [_fts5_query(terms), at, limit])
        return [row[0] for row in cursor.fetchall()]


def highlight(text, terms, *, length=SNIPPET_CHARS):
    """A snippet of `text` around the first match, escaped, with the terms in <mark>."""
    text = text or ""
    lowered = text.lower()
    positions = [lowered.find(term) for term in terms if lowered.find(term) >= 0]
    start = max(0, min(positions) - length // 4) if positions else 0
    snippet = text[start : start + length]
    escaped = escape(snippet)
    if terms:
        alternatives = sorted({escape(term) for term in terms}, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(a) for a in alternatives), re.IGNORECASE)
        escaped = pattern.sub(lambda match: f"<mark>{match.group(0)}</mark>", escaped)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(text) else ""
    return mark_safe(f"{prefix}{escaped}{suffix}")  # noqa: S308  (escaped above)


class SearchResult:
    def __init__(self, document, terms):
        self.document = document
        self.kind = document.get_kind_display()
        self.title = highlight(document.title, terms, length=300)
        self.snippet = highlight(document.text, terms)
        self.url = document.url


def search(query, *, at=None, limit=50):
    """`(terms, results)` for a visitor's query: two queries whatever the number of hits."""
    terms = query_terms(query)
    ids = matching_ids(terms, at=at, limit=limit)
    documents = SearchDocument.objects.in_bulk(ids) if ids else {}
    return terms, [SearchResult(documents[pk], terms) for pk in ids if pk in documents]


FTS5_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS judging_searchdocument_fts USING fts5("
    "terms, content='judging_searchdocument', content_rowid='id')",
    "CREATE TRIGGER IF NOT EXISTS judging_searchdocument_ai AFTER INSERT ON "
    "judging_searchdocument BEGIN INSERT INTO judging_searchdocument_fts(rowid, terms) "
    "VALUES (new.id, new.terms); END",
    "CREATE TRIGGER IF NOT EXISTS judging_searchdocument_ad AFTER DELETE ON "
    "judging_searchdocument BEGIN INSERT INTO judging_searchdocument_fts("
    "judging_searchdocument_fts, rowid, terms) VALUES ('delete', old.id, old.terms); END",
    "CREATE TRIGGER IF NOT EXISTS judging_searchdocument_au AFTER UPDATE ON "
    "judging_searchdocument BEGIN INSERT INTO judging_searchdocument_fts("
    "judging_searchdocument_fts, rowid, terms) VALUES ('delete', old.id, old.terms); "
    "INSERT INTO judging_searchdocument_fts(rowid, terms) VALUES (new.id, new.terms); END",
]
FTS5_DROP = [
    "DROP TRIGGER IF EXISTS judging_searchdocument_au",
    "DROP TRIGGER IF EXISTS judging_searchdocument_ad",
    "DROP TRIGGER IF EXISTS judging_searchdocument_ai",
    "DROP TABLE IF EXISTS judging_searchdocument_fts",
]
# The index of migration 0009, replaced by the stored column of 0011.
POSTGRES_CREATE = [
    "CREATE INDEX IF NOT EXISTS search_terms_gin ON judging_searchdocument "
    "USING gin (to_tsvector('simple', terms))"
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS search_terms_gin"]


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": FTS5_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": FTS5_DROP, "postgresql": POSTGRES_DROP}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)

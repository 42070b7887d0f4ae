"""Many rows written in a few statements, for the operations that write thousands at once
(a round's assignments and their audit rows)."""

import contextlib
import datetime
import gc
import threading
from contextlib import nullcontext

from django.db import connection, models

# Fields (by exact class: a subclass may transform its values) whose preparation gives back
# a value of this type unchanged, on every backend.
_PLAIN = {
    models.AutoField: int,
    models.BigAutoField: int,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.SmallIntegerField: int,
    models.BooleanField: bool,
    models.CharField: str,
    models.TextField: str,
}
# Other values are prepared once per distinct value of a column: a round's 40,000 rows share
# one timestamp. Only types whose equal values prepare alike.
_CACHED_TYPES = (int, str, datetime.datetime)


def _plain_type(field):
    if field.is_relation:
        field = field.target_field
    return _PLAIN.get(type(field))


def insert_rows(model, field_names, rows, batch_size=500):
    """INSERT `rows` (tuples in the order of `field_names`), `batch_size` per statement (a
    multi-row INSERT; on PostgreSQL a COPY), values prepared by the model fields exactly as
    the ORM prepares them. Building a model instance per row made the ORM's `bulk_create`
    the slowest part of an assignment of 40,000 rows. Writes no primary keys back: returns
    nothing."""
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    # Identifiers come from our own model metadata, quoted; values are parameters.
    target = "{} ({})".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    head = f"INSERT INTO {target} VALUES "  # noqa: S608
    copy = f"COPY {target} FROM STDIN"
    placeholders = "({})".format(", ".join(["%s"] * len(fields)))
    prepared = [{} for _field in fields]
    plain = [_plain_type(field) for field in fields]

    def prepare(index, value):
        if plain[index] is not None and (value is None or type(value) is plain[index]):
            return value
        if type(value) not in _CACHED_TYPES:
            return fields[index].get_db_prep_save(value, connection)
        cache = prepared[index]
        key = (type(value), value)
        if key not in cache:
            cache[key] = fields[index].get_db_prep_save(value, connection)
        return cache[key]

    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = [
                [prepare(i, value) for i, value in zip(range(len(fields)), row, strict=True)]
                for row in rows[start : start + batch_size]
            ]
            if connection.vendor == "postgresql":
                _copy_rows(cursor, copy, batch)
            else:
                cursor.execute(
                    head + ", ".join([placeholders] * len(batch)),
                    [value for row in batch for value in row],
                )


def _copy_rows(cursor, statement, rows):
    """PostgreSQL: `rows` through COPY. psycopg renders a multi-row VALUES list's parameters
    into the statement in Python, parsing its placeholders again on every batch (it keeps
    the parse of short statements only): 13 of an 8,000-case assignment's 44 s. COPY sends
    the rows as they are, formatted in psycopg's C code. Logged like any statement (the
    query-count tests count it) and with the database errors Django raises."""
    log = cursor.debug_sql(statement) if hasattr(cursor, "debug_sql") else nullcontext()
    cursor.db.validate_no_broken_transaction()
    with log, cursor.db.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


# --- Python's garbage collector ------------------------------------------------------------
# An operation over a whole round makes about a million small objects that reference
# counting frees (no cycles). Every few hundred thousand of them that outlive a collection
# set off a full collection over everything alive, the process's own objects included: the
# five full collections of an 8,000-case round's export took 0.6–0.7 s of its 3.5 s.
_pausing = 0
_pausing_lock = threading.Lock()
_paused_here = False


@contextlib.contextmanager
def collection_paused():
    """Python's automatic cyclic garbage collection paused while the block runs (for every
    thread of the process: the last block to end resumes it, if it was on at the first)."""
    global _pausing, _paused_here
    with _pausing_lock:
        if _pausing == 0:
            _paused_here = gc.isenabled()
            gc.disable()
        _pausing += 1
    try:
        yield
    finally:
        with _pausing_lock:
            _pausing -= 1
            if _pausing == 0 and _paused_here:
                gc.enable()

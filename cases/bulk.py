"""Many rows written in a few statements, for the operations that write thousands at once
(a round's assignments and their audit rows, the cases of an imported file)."""

import contextlib
import datetime
import enum
import gc
import json
import threading
from contextlib import nullcontext

from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations

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
# one timestamp. Only types whose equal values prepare alike (and enum members), and only in
# Django's own fields: an encrypted field seals each value with a random IV, and equal tokens
# would show which rows hold the same phone number.
_CACHED_TYPES = {int, str, datetime.datetime, type(None)}


def _cacheable(field):
    return type(field).__module__.startswith("django.db.models.")


def _plain_type(field):
    if field.is_relation:
        field = field.target_field
    return _PLAIN.get(type(field))


def insert_rows(model, field_names, rows, batch_size=500):
    """INSERT `rows` (tuples in the order of `field_names`), `batch_size` per statement (a
    multi-row INSERT; on PostgreSQL one COPY for all), values prepared by the model fields
    exactly as the ORM prepares them. Building a model instance per row made the ORM's
    `bulk_create` the slowest part of an assignment of 40,000 rows. Writes no primary keys
    back: returns nothing."""
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    # Identifiers come from our own model metadata, quoted; values are parameters.
    target = "{} ({})".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    head = f"INSERT INTO {target} VALUES "  # noqa: S608
    copy = f"COPY {target} FROM STDIN"
    placeholders = "({})".format(", ".join(["%s"] * len(fields)))
    preparers = [_Column(field) for field in fields]

    def batches():
        for start in range(0, len(rows), batch_size):
            columns = zip(*rows[start : start + batch_size], strict=True)
            yield list(
                zip(
                    *(prepare(column) for prepare, column in zip(preparers, columns, strict=True)),
                    strict=True,
                )
            )

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if rows:
                _copy_rows(cursor, copy, batches())
            return
        for batch in batches():
            cursor.execute(
                head + ", ".join([placeholders] * len(batch)),
                [value for row in batch for value in row],
            )


class _Column:
    """Prepares one column of a batch at a time: left as it is when every value is of the
    type its field gives back unchanged (or None), else each distinct value once when all are
    of a cached type (or members of an enum), else value by value."""

    def __init__(self, field):
        self.field = field
        plain = _plain_type(field)
        self.unchanged = {plain, type(None)} if plain else set()
        self.cache = {}
        self.cacheable = _cacheable(field)
        # A JSONField without an encoder prepares a dict or a list as `json.dumps(value)`, or
        # on PostgreSQL as a Jsonb that COPY writes as that same text.
        self.json_text = (
            type(field) is models.JSONField
            and field.encoder is None
            and (
                connection.vendor == "postgresql"
                or type(connection.ops).adapt_json_value is BaseDatabaseOperations.adapt_json_value
            )
        )

    def __call__(self, values):
        types = set(map(type, values))
        if types <= self.unchanged:
            return values
        if self.json_text and types <= {dict, list}:
            return list(map(json.dumps, values))
        prep = self.field.get_db_prep_save
        if not self.cacheable or not all(
            kind in _CACHED_TYPES or issubclass(kind, enum.Enum) for kind in types
        ):
            return [prep(value, connection) for value in values]
        keys = list(zip(map(type, values), values, strict=True))
        for key in set(keys) - self.cache.keys():
            self.cache[key] = prep(key[1], connection)
        return list(map(self.cache.__getitem__, keys))


def insert_instances(instances, batch_size=1000):
    """INSERT new model instances (of one model) and give them their primary keys, the
    fields' `pre_save` applied as `save()` applies it (auto_now stamps). The keys are taken
    in one query and the rows written by `insert_rows` (PostgreSQL: COPY): the ORM's
    `bulk_create` renders its column arrays into the statement in Python on PostgreSQL
    and prepares every value anew, about half of what an 8,000-case import spent writing
    the cases. Other databases: `bulk_create`."""
    if not instances:
        return
    model = type(instances[0])
    keys = _new_keys(model, len(instances))
    if keys is None:
        model._default_manager.bulk_create(instances, batch_size=batch_size)
        return
    fields = model._meta.concrete_fields
    rows = []
    for instance, key in zip(instances, keys, strict=True):
        instance._prepare_related_fields_for_save(operation_name="bulk_create")
        instance.pk = key
        rows.append(tuple(field.pre_save(instance, True) for field in fields))
    insert_rows(model, [field.name for field in fields], rows, batch_size=batch_size)
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias


def _new_keys(model, count):
    """`count` primary keys no row has had, or None where this is not known how."""
    opts = model._meta
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, count],
            )
            return [key for (key,) in cursor.fetchall()]
    if (
        connection.vendor == "sqlite"
        and connection.in_atomic_block
        and isinstance(opts.pk, models.AutoField)
    ):
        # AUTOINCREMENT: past the highest key the table has ever had. The caller is in a
        # transaction; should another writer commit after these reads, SQLite refuses our
        # write rather than let it reuse a key.
        highest = model._default_manager.aggregate(highest=models.Max("pk"))["highest"] or 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [opts.db_table])
            found = cursor.fetchone()
        start = max(highest, found[0] if found else 0) + 1
        return list(range(start, start + count))
    return None


def _copy_rows(cursor, statement, batches):
    """PostgreSQL: the rows of all `batches` through one COPY. psycopg renders a multi-row
    VALUES list's parameters into the statement in Python, parsing its placeholders again on
    every batch (it keeps the parse of short statements only): 13 of an 8,000-case
    assignment's 44 s. COPY sends the rows as they are, formatted in psycopg's C code; one
    COPY for all of them lets the server write rows while the next batch is prepared, where
    a COPY per batch waited for each to finish. Logged like any statement (the query-count
    tests count it) and with the database errors Django raises."""
    log = cursor.debug_sql(statement) if hasattr(cursor, "debug_sql") else nullcontext()
    cursor.db.validate_no_broken_transaction()
    with log, cursor.db.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        for batch in batches:
            for row in batch:
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

"""Many rows written in a few statements, for the operations that write thousands at once
(a round's assignments and their audit rows, the cases of an imported file)."""

import datetime
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
# one timestamp. Only types whose equal values prepare alike, and only in Django's own fields:
# an encrypted field seals each value with a random IV, and equal tokens would show which
# rows hold the same phone number.
_CACHED_TYPES = (int, str, datetime.datetime)


def _cacheable(field):
    return type(field).__module__.startswith("django.db.models.")


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
    cacheable = [_cacheable(field) for field in fields]

    def prepare(index, value):
        if plain[index] is not None and (value is None or type(value) is plain[index]):
            return value
        if type(value) not in _CACHED_TYPES or not cacheable[index]:
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

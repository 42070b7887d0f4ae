"""A page of rows whose related objects are made once each and shared by the rows pointing
at them, from one query of plain values.

`select_related` makes a new instance of every related row for every row of the page: a
page of 100 cases was 500 model instances (case, edition, programme, category, unit), two
thirds of the time of its query on either database. Read as values, the same joined
columns give the cases and, once per primary key, their edition, programme, category and
unit — the objects `str()` and the admin's cells read, the same values as before.
"""

from django.core.exceptions import FieldDoesNotExist


def rows_sharing_related(queryset, fields, related):
    """The rows of `queryset` (ordered as it is), each a model instance with only `fields`
    loaded (attnames, as `only()` would leave them), and each path of `related` (a relation
    path such as "edition" or "edition__programme", to the attnames to load of the row it
    points at, its primary key first) set to an instance shared by every row that points
    at the same one. A path's parent comes before it in `related`."""
    model = queryset.model
    paths = [(path, _related_model(model, path), names) for path, names in related.items()]
    columns = [*fields, *(f"{path}__{name}" for path, _, names in paths for name in names)]
    made = {path: {} for path, _, _ in paths}
    db = queryset.db
    rows = []
    for values in queryset.values_list(*columns):
        row = model.from_db(db, fields, values[: len(fields)])
        objects = {"": row}
        start = len(fields)
        for path, related_model, names in paths:
            part = values[start : start + len(names)]
            start += len(names)
            obj = None
            if part[0] is not None:
                obj = made[path].get(part[0])
                if obj is None:
                    obj = made[path][part[0]] = related_model.from_db(db, names, part)
            parent_path, _, attribute = path.rpartition("__")
            if objects[parent_path] is not None:
                setattr(objects[parent_path], attribute, obj)
            objects[path] = obj
        rows.append(row)
    return rows


def _related_model(model, path):
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if not (field.many_to_one or field.one_to_one):
            raise FieldDoesNotExist(f"{path} is no relation to one row")
        model = field.related_model
    return model

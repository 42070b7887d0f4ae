"""The fast paths of a round's thousands of audit rows (issue 12) give what the row-by-row
paths give: `entry_values_many` the dicts of `entry_values`, `append_many` the rows, hashes
and stored JSON of `append`."""

import datetime
import json
import random

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from cases.audit.chain import (
    _plain_data,
    append,
    append_many,
    entry_values,
    entry_values_many,
    verify_chain,
)
from cases.models import AuditEntry
from tests.factories import make_user

DATA = [
    {"round": 3, "case": 41, "judge": 7, "auto": True},
    {},
    None,
    {"note": "换行\n与\t制表", "none": None, "big": 2**70, "flag": False},
    {"when": datetime.date(2026, 12, 4), "score": 1.5, "nested": {"b": [1, "2"], "a": None}},
    {1: "integer key", "k": (1, 2)},
]
OBJECTS = [
    ("17", "第一轮 · BX-1 案例 · 张三", DATA[0]),
    (18, "line\nbreak\x1b[31m", DATA[1]),
    ("x" * 60, "长" * 300, DATA[2]),
    (20, "", DATA[3]),
    (21, "plain", DATA[4]),
    (22, "plain", DATA[5]),
]


def test_plain_data_equals_the_json_round_trip():
    rng = random.Random(4)
    values = [0, -1, 2**64, True, False, None, "", "é", "\ud800", "a\x00b", 1.0, [1], {"a": 1}]
    randoms = [{f"k{i}": rng.choice(values) for i in range(rng.randint(0, 5))} for _ in range(300)]
    for data in DATA + randoms:
        expected = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, allow_nan=False))
        got = _plain_data(data)
        assert got == expected
        assert list(got) == list(expected)
        assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]
        assert got is not data


@pytest.mark.django_db
def test_entry_values_many_equals_one_call_per_row():
    user, now = make_user(), timezone.now()

    many = entry_values_many(
        code="judging.assignment.created",
        by=user,
        object_type="judging.assignment",
        created_at=now,
        objects=OBJECTS,
    )

    assert many == [
        entry_values(
            code="judging.assignment.created",
            by=user,
            object_type="judging.assignment",
            object_id=object_id,
            object_repr=object_repr,
            created_at=now,
            data=data,
        )
        for object_id, object_repr, data in OBJECTS
    ]


def stored(seqs):
    columns = ("seq", "prev_hash", "hash", "code", "object_id", "object_repr", "data", "ip")
    rows = AuditEntry.objects.filter(seq__in=seqs).order_by("seq")
    texts = rows.annotate(text=Cast("data", output_field=TextField())).values_list("text")
    return list(rows.values_list(*columns)), list(texts)


@pytest.mark.django_db
def test_append_many_stores_what_append_stores():
    user, now = make_user(), timezone.now()
    values = [
        entry_values(
            code="c",
            by=user,
            object_type="t",
            object_id=oid,
            object_repr=text,
            created_at=now,
            data=data,
        )
        for oid, text, data in OBJECTS
    ]

    append(values)
    first = stored(range(1, 7))
    append_many(values)
    second = stored(range(7, 13))

    # The second batch chains onto the first: compare all but seq and the hashes.
    assert [row[3:] for row in first[0]] == [row[3:] for row in second[0]]
    assert first[1] == second[1]  # the JSON text as stored, character for character
    assert verify_chain() == (12, [])

"""Writes that spreadsheet imports need beyond the model rows themselves."""

import re

from django.db import IntegrityError, transaction

from ..models import ReferenceCounter, Region

REFERENCE_PATTERN = re.compile(r"^(?P<year>\d{4})-(?P<prefix>[A-Za-z0-9]+)-(?P<value>\d+)$")


def region_from_path(*, names):
    """The region at the end of `names` (["广东省", "汕头市", "濠江区"]), creating the missing
    levels. Returns `(region, created_names)`."""
    parent, created = None, []
    with transaction.atomic():
        for name in names:
            region = Region.objects.filter(parent=parent, name=name).first()
            if region is None:
                region = Region.objects.create(parent=parent, name=name)
                created.append(name)
            parent = region
    return parent, created


def reference_reserve(*, edition, reference):
    """Keep the edition's reference counter ahead of an imported reference number.

    A case imported as `2026-ZF-0031` must not collide with the number the next online
    submission draws from `next_reference`, so the counter for `ZF` is raised to 31 if it is
    lower. References that do not follow `<year>-<prefix>-<NNNN>` need nothing.
    """
    match = REFERENCE_PATTERN.match(reference)
    if not match or int(match["year"]) != edition.year:
        return
    prefix, value = match["prefix"], int(match["value"])
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReferenceCounter.objects.get_or_create(edition=edition, prefix=prefix)
        except IntegrityError:
            pass  # created concurrently; the locked read below sees it
        counter = ReferenceCounter.objects.select_for_update().get(edition=edition, prefix=prefix)
        if counter.last_value < value:
            counter.last_value = value
            counter.save(update_fields=["last_value"])

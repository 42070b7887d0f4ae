"""One true register of units: requests for units not yet registered, near-duplicate names,
and merging two units into one.

Names are compared by a *key* (`unit_name_key`): full-width and half-width forms folded
(NFKC), spaces and punctuation dropped, 中国共产党 read as 中共, and a trailing 委员会 / 委 / 局
dropped (a 发展和改革委员会 that became a 发展和改革局 is the same body). Equal keys are the
same unit; a high similarity of keys (rapidfuzz, `UNIT_SIMILARITY_THRESHOLD`) is a likely
match, shown to the organiser, never decided for them.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from ..models import Unit, UnitRegistryStatus
from .accounts import normalise_unit_name
from .lifecycle import DomainError, audit_log

_NOT_KEY = re.compile(r"[\s\W_]+", re.UNICODE)
_PARTY = ("中国共产党", "中共")
_TRAILING = ("委员会", "委", "局")


def unit_name_key(name):
    """The form under which two spellings of one unit's name compare equal."""
    key = unicodedata.normalize("NFKC", name or "")
    key = _NOT_KEY.sub("", key).lower()
    key = key.replace(*_PARTY)
    for suffix in _TRAILING:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            key = key[: -len(suffix)]
            break
    return key


def similarity_threshold():
    return getattr(settings, "UNIT_SIMILARITY_THRESHOLD", 88)


@dataclass(frozen=True)
class LikelyMatch:
    unit_id: int
    name: str
    score: int  # 0–100; 100 for an equal key
    same_key: bool


class UnitKeyIndex:
    """The keys of a set of units, built in one query, to look up many names against."""

    def __init__(self, units=None):
        if units is None:
            units = Unit.objects.exclude(registry_status=UnitRegistryStatus.REJECTED)
        rows = list(units.order_by("pk").values_list("pk", "name"))
        self.names = dict(rows)
        self.keys = {pk: unit_name_key(name) for pk, name in rows}
        self.by_key = {}
        for pk, key in self.keys.items():
            self.by_key.setdefault(key, []).append(pk)

    def matches(self, name, *, exclude=(), limit=3):
        """Units with the same key first, then the most similar keys above the threshold."""
        key = unit_name_key(name)
        found = [
            LikelyMatch(pk, self.names[pk], 100, True)
            for pk in self.by_key.get(key, [])
            if pk not in exclude
        ]
        seen = {match.unit_id for match in found} | set(exclude)
        candidates = {pk: k for pk, k in self.keys.items() if pk not in seen}
        for _key, score, pk in process.extract(
            key,
            candidates,
            scorer=fuzz.ratio,
            score_cutoff=similarity_threshold(),
            limit=limit,
        ):
            found.append(LikelyMatch(pk, self.names[pk], round(score), False))
        return found[:limit]


def likely_matches(name, *, exclude=(), limit=3):
    return UnitKeyIndex().matches(name, exclude=exclude, limit=limit)


# --- Requests ------------------------------------------------------------------------------
def unit_request(*, name, type, level="", region=None, parent=None, by, confirmed_new=False):
    """Request a unit that is not in the register. Refused when a registered or requested
    unit has the same key; when there are similar names, refused unless `confirmed_new`
    (the requester has seen them and says it is another unit)."""
    name = normalise_unit_name(name)
    if not name:
        raise DomainError(_("请填写单位名称。"))
    matches = likely_matches(name)
    same = [match for match in matches if match.same_key]
    if same:
        raise DuplicateUnit(
            _("名录中已有“%(name)s”,请直接选择该单位。") % {"name": same[0].name}, matches
        )
    if matches and not confirmed_new:
        raise DuplicateUnit(
            _("名录中有名称相近的单位,请确认是否为其中之一;如确为新单位,请勾选确认后再提交。"),
            matches,
        )
    with transaction.atomic():
        unit = Unit.objects.create(
            name=name,
            type=type,
            level=level,
            region=region,
            parent=parent,
            registry_status=UnitRegistryStatus.REQUESTED,
            requested_by=by,
            requested_at=timezone.now(),
        )
        audit_log(
            code="cases.unit.requested",
            obj=unit,
            by=by,
            data={"likely_matches": [match.name for match in matches]},
        )
    return unit


class DuplicateUnit(DomainError):
    def __init__(self, message, matches):
        super().__init__(message)
        self.matches = matches


def _require_requested(unit):
    if unit.registry_status != UnitRegistryStatus.REQUESTED:
        raise DomainError(_("“%(unit)s”不是待审核的单位登记申请。") % {"unit": unit})


def unit_request_accept(*, unit, by):
    _require_requested(unit)
    if not unit.type:
        raise DomainError(_("“%(unit)s”尚未填写单位类型,不能登记。") % {"unit": unit})
    unit.registry_status = UnitRegistryStatus.REGISTERED
    unit.save(update_fields=["registry_status"])
    audit_log(code="cases.unit.request_accepted", obj=unit, by=by)
    return unit


def unit_request_reject(*, unit, by, reason):
    _require_requested(unit)
    if not (reason or "").strip():
        raise DomainError(_("请填写不予登记的理由。"))
    unit.registry_status = UnitRegistryStatus.REJECTED
    unit.review_note = reason.strip()
    unit.save(update_fields=["registry_status", "review_note"])
    audit_log(code="cases.unit.request_rejected", obj=unit, by=by, data={"reason": reason})
    return unit


def unit_request_match(*, requested, registered, by):
    """The requested unit is one already in the register: merge it into that one."""
    _require_requested(requested)
    if registered.registry_status != UnitRegistryStatus.REGISTERED:
        raise DomainError(_("只能匹配到已登记的单位。"))
    return unit_merge(
        keep=registered,
        remove=requested,
        by=by,
        reason=_("登记申请与名录中的“%(unit)s”为同一单位") % {"unit": registered},
    )


def units_blocking_submission(units):
    """The units of a case that are not (yet) in the register."""
    return [unit for unit in units if unit.registry_status != UnitRegistryStatus.REGISTERED]


# --- Merging ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MergeMove:
    label: str  # "案例 · 主创单位"
    moved: int
    dropped: int  # rows of the removed unit that duplicate a row of the kept unit


def _unit_relations():
    """Every foreign key to Unit in every installed app (judging's included, without this
    module importing it), as `(model, field_name)`; many-to-many tables appear through their
    (auto-created) through models."""
    relations = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.many_to_one and field.related_model is Unit:
                relations.append((model, field.name))
    return sorted(relations, key=lambda item: (item[0]._meta.label, item[1]))


def _unique_partners(model, field_name):
    """For each uniqueness rule on `model` that includes `field_name`, the other fields."""
    groups = []
    for constraint in model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and field_name in constraint.fields
            and constraint.condition is None
        ):
            groups.append([f for f in constraint.fields if f != field_name])
    for together in model._meta.unique_together:
        if field_name in together:
            groups.append([f for f in together if f != field_name])
    field = model._meta.get_field(field_name)
    if field.unique or field.one_to_one:
        groups.append([])
    return groups


def _colliding(model, field_name, *, keep, remove):
    """Rows of `remove` that would break a uniqueness rule once moved to `keep`."""
    rows = model._default_manager.filter(**{field_name: remove})
    colliding = model._default_manager.none()
    for partners in _unique_partners(model, field_name):
        kept = model._default_manager.filter(**{field_name: keep})
        if partners:
            kept = kept.filter(**{partner: models.OuterRef(partner) for partner in partners})
        colliding = colliding | rows.filter(models.Exists(kept))
    return colliding


def _verbose(model, field_name):
    return f"{model._meta.verbose_name} · {model._meta.get_field(field_name).verbose_name}"


def unit_merge_preview(*, keep, remove):
    """What a merge would move, relation by relation (only relations with rows)."""
    if keep.pk == remove.pk:
        raise DomainError(_("不能把单位与自身合并。"))
    moves = []
    for model, field_name in _unit_relations():
        if model is Unit and field_name == "parent":
            total = Unit.objects.filter(parent=remove).exclude(pk=keep.pk).count()
            dropped = 0
        else:
            total = model._default_manager.filter(**{field_name: remove}).count()
            dropped = (
                _colliding(model, field_name, keep=keep, remove=remove).count() if total else 0
            )
        if total:
            moves.append(MergeMove(_verbose(model, field_name), total - dropped, dropped))
    return moves


def unit_merge(*, keep, remove, by, reason):
    """Move everything that refers to `remove` (cases, lead-unit links, memberships, judges'
    affiliations, conflicts, child units…) to `keep`, in one transaction, then delete
    `remove`. A row that would duplicate one `keep` already has (the same case's lead unit,
    the same member) is dropped instead of moved. Audited with the counts."""
    if not (reason or "").strip():
        raise DomainError(_("请填写合并理由。"))
    moves = unit_merge_preview(keep=keep, remove=remove)
    with transaction.atomic():
        keep = Unit.objects.select_for_update().get(pk=keep.pk)
        remove = Unit.objects.select_for_update().get(pk=remove.pk)
        if keep.parent_id == remove.pk:
            keep.parent_id = remove.parent_id if remove.parent_id != keep.pk else None
            keep.save(update_fields=["parent"])
        for model, field_name in _unit_relations():
            if model is Unit and field_name == "parent":
                Unit.objects.filter(parent=remove).exclude(pk=keep.pk).update(parent=keep)
                continue
            _colliding(model, field_name, keep=keep, remove=remove).delete()
            model._default_manager.filter(**{field_name: remove}).update(**{field_name: keep})
        if not keep.verified and remove.verified:
            keep.verified, keep.verified_at = True, remove.verified_at
            keep.save(update_fields=["verified", "verified_at"])
        removed_name, removed_pk = remove.name, remove.pk
        audit_log(
            code="cases.unit.merged",
            obj=keep,
            by=by,
            data={
                "removed_unit": {"id": removed_pk, "name": removed_name},
                "reason": reason.strip(),
                "moved": {move.label: move.moved for move in moves},
                "dropped_duplicates": {move.label: move.dropped for move in moves if move.dropped},
            },
        )
        remove.delete()
    return keep

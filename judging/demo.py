"""The demo that `make run` shows: past results of the seed programmes as archive data, one
edition of 粤治 open for submissions with a few cases, and demo accounts.

`build_demo` is idempotent: every object is looked up by a natural key first (a slug, a name,
an e-mail, an edition × title) and only created when missing, so a second run creates,
changes and logs nothing. Existing objects are left as they are (an organiser's edits in the
admin survive a restart); the one exception is an open demo call whose deadline has passed,
which gets a new deadline so that the demo keeps accepting cases.

State changes go through the services (`edition_transition`, `archive_award`), and the open
edition's cases are written with the unit portal's own services (`case_create`,
`case_save_draft`, `attachment_add` with a generated PDF 申报书 that passes the content
check, `case_submit`), so the demo exercises the same doors as the web forms and leaves the
same audit trail. Objects without a service of their own (units, memberships, judges,
panels) are created with the ORM.
"""

import collections
import dataclasses
import datetime

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from cases.models import (
    EDITION_TRANSITIONS,
    Attachment,
    AttachmentKind,
    AwardTier,
    Case,
    CaseLeadUnit,
    CaseStatus,
    Category,
    Edition,
    EditionStatus,
    MembershipRole,
    Programme,
    Region,
    Unit,
    UnitMembership,
    User,
)
from cases.roles import ORGANISER_ADMIN
from cases.services import audit_log, edition_transition
from cases.services.roles import sync_roles
from cases.services.submission import (
    CaseContent,
    attachment_add,
    case_create,
    case_save_draft,
    case_submit,
)
from cases.uploads import inspect_upload

from .content.indexing import rebuild_search_index
from .content.models import Article
from .demo_application_form import application_form_pdf
from .demo_articles import build_demo_articles
from .demo_data import current, jingchu, units, wangluo_lizheng, yueyoushu, yuezhi
from .demo_public_vote import ensure_public_vote_demo
from .heat.models import HeatCoverage, HeatItem, HeatList, HeatPeriod, HeatSeries, Outlet
from .heat.services import heat_period_publish
from .models import Award, Criterion, Judge, Panel, PanelMembership, Round
from .services.archive import archive_award

ARCHIVE_SOURCES = (yuezhi, yueyoushu, wangluo_lizheng, jingchu)
DEMO_PASSWORD = current.DEMO_PASSWORD


class AccountRole:
    ORGANISER = "organiser"
    JUDGE = "judge"
    UNIT_ADMIN = "unit_admin"
    UNIT_MEMBER = "unit_member"


@dataclasses.dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    name: str
    created: bool
    unit: str = ""


@dataclasses.dataclass
class DemoBuild:
    """What a run did: rows created per model, the demo accounts, the open edition."""

    created: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    accounts: list = dataclasses.field(default_factory=list)
    open_edition: Edition | None = None
    public_vote_round: object = None
    deadline_moved: bool = False

    cache: dict = dataclasses.field(default_factory=dict)

    def get_or_create(self, model, *, defaults=None, **lookup):
        # Not QuerySet.get_or_create: the whole build is one transaction, so the savepoint it
        # opens around every insert would only double the number of queries.
        obj = model.objects.filter(**lookup).first()
        if obj is not None:
            return obj, False
        return self.add(model, **lookup, **(defaults or {})), True

    def add(self, model, **fields):
        self.created[model] += 1
        return model.objects.create(**fields)


def build_demo(*, now=None):
    """Build (or complete) the demo data; returns a `DemoBuild` describing the run."""
    now = now or timezone.now()
    build = DemoBuild()
    with transaction.atomic():
        organiser = _ensure_user(
            build,
            role=AccountRole.ORGANISER,
            email=current.ORGANISER["email"],
            full_name=current.ORGANISER["full_name"],
            is_staff=True,
            now=now,
        )
        _ensure_organiser_group(organiser)
        for source in ARCHIVE_SOURCES:
            programme = _ensure_programme(build, source.PROGRAMME)
            judges = {
                name: _ensure_archive_judge(build, name=name, title=title)
                for name, title in source.JUDGES.items()
            }
            for spec in source.EDITIONS:
                _ensure_archive_edition(build, programme, spec, judges=judges, by=organiser)
        _ensure_heat_period(
            build,
            jingchu.HEAT,
            programme_slug=jingchu.PROGRAMME["slug"],
            rules=jingchu.RULES,
            by=organiser,
        )
        _ensure_current_edition(build, organiser=organiser, now=now)
        build.public_vote_round = ensure_public_vote_demo(build, organiser=organiser, now=now)
        articles = build_demo_articles(by=organiser, now=now)
        if articles:
            build.created[Article] += articles
        # The archive's editions are published by transitions, not the publication service.
        rebuild_search_index()
    return build


# --- Structure -----------------------------------------------------------------------------
def _ensure_programme(build, spec):
    programme, _ = build.get_or_create(
        Programme,
        slug=spec["slug"],
        defaults={key: spec[key] for key in spec if key != "slug"},
    )
    return programme


def _ensure_region(build, path):
    if not path:
        return None
    key = (Region, path)
    if key not in build.cache:
        parent_path, _, name = path.rpartition("/")
        build.cache[key], _ = build.get_or_create(
            Region, parent=_ensure_region(build, parent_path), name=name
        )
    return build.cache[key]


def _ensure_unit(build, name):
    key = (Unit, name)
    if key not in build.cache:
        unit_type, level, region_path = units.UNITS[name]
        unit = Unit.objects.filter(name=name).first()
        if unit is None:
            unit = build.add(
                Unit,
                name=name,
                type=unit_type,
                level=level,
                region=_ensure_region(build, region_path),
            )
        build.cache[key] = unit
    return build.cache[key]


def _ensure_edition(build, programme, spec, *, extra):
    edition, created = build.get_or_create(
        Edition,
        programme=programme,
        slug=spec["slug"],
        defaults={
            "title": spec["title"],
            "number": spec["number"],
            "period_label": spec["period_label"],
            "year": spec["year"],
            "call_text": spec["call_text"],
            "contact": spec["contact"],
            "status": EditionStatus.DRAFT,
            **extra,
        },
    )
    categories = {}
    for order, (code, name, description, partner) in enumerate(spec["categories"]):
        categories[code], _ = build.get_or_create(
            Category,
            edition=edition,
            code=code,
            defaults={
                "name": name,
                "description": description,
                "order": order,
                "partner_organiser": partner,
            },
        )
    tiers = {}
    for order, (name, quota, scope) in enumerate(spec["tiers"]):
        tiers[name], _ = build.get_or_create(
            AwardTier,
            edition=edition,
            name=name,
            defaults={"order": order, "quota": quota, "quota_scope": scope},
        )
    return edition, created, categories, tiers


def _advance(edition, target, *, by, reason):
    """Walk a new archive edition to `target` through the transition table, one service call
    a step. Its rounds and cases are history recorded from the seeds, not steps taken here, so
    the steps' preconditions are not enforced (the audit row says so)."""
    for state in _transition_path(EditionStatus(edition.status), EditionStatus(target)):
        edition_transition(edition, state, by=by, reason=reason, enforce=False)


def _transition_path(start, target):
    paths = collections.deque([(start, [])])
    seen = {start}
    while paths:
        state, path = paths.popleft()
        if state == target:
            return path
        for following in sorted(EDITION_TRANSITIONS[state]):
            if following not in seen:
                seen.add(following)
                paths.append((following, [*path, following]))
    raise ValueError(f"No transition path from {start} to {target}.")


def _local_datetime(day, hour_minute):
    hour, minute = hour_minute
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


# --- Archive -------------------------------------------------------------------------------
def _ensure_archive_judge(build, *, name, title):
    judge = Judge.objects.filter(name=name, user__isnull=True).first()
    if judge is None:
        judge = build.add(Judge, name=name, title=title, public=True)
    return judge


def _ensure_archive_edition(build, programme, spec, *, judges, by):
    published_on = spec["results_published_on"]
    edition, created, categories, tiers = _ensure_edition(
        build,
        programme,
        spec,
        extra={
            "results_unordered": spec["results_unordered"],
            "results_published_at": (
                _local_datetime(published_on, (0, 0)) if published_on else None
            ),
        },
    )
    for panel_spec in spec["panels"]:
        panel, panel_created = build.get_or_create(Panel, edition=edition, name=panel_spec["name"])
        if panel_created:
            panel.categories.set(categories[code] for code in panel_spec["categories"])
        for name, role in panel_spec["members"]:
            build.get_or_create(
                PanelMembership, panel=panel, judge=judges[name], defaults={"role": role}
            )
    positions = collections.Counter()
    for award in spec["awards"]:
        key = (award["tier"], award["category"])
        positions[key] += 1
        category = categories[award["category"]] if award["category"] else None
        case = Case.objects.filter(edition=edition, title=award["title"]).first()
        if case is None:
            case = build.add(
                Case,
                edition=edition,
                category=category,
                title=award["title"],
                summary=award["summary"],
            )
            for order, unit_name in enumerate(award["lead_units"]):
                build.add(CaseLeadUnit, case=case, unit=_ensure_unit(build, unit_name), order=order)
        if not Award.objects.filter(case=case).exists():
            archive_award(
                case=case,
                tier=tiers[award["tier"]],
                category=category,
                order=positions[key],
                citation=award["citation"],
                commentator=judges[award["commentator"]] if award["commentator"] else None,
                signed_as=award["signed_as"],
                by=by,
            )
            build.created[Award] += 1
    if created:
        _advance(edition, spec["status"], by=by, reason="往届结果存档(演示数据)")
    return edition


# --- The heat rankings (seed 002) -----------------------------------------------------------
def _ensure_heat_period(build, spec, *, programme_slug, rules, by):
    """The 2023年3月 report as a period of the heat rankings: its items in their lists and the
    outlets the report names for each; published (frozen) once, when first created."""
    programme = Programme.objects.get(slug=programme_slug)
    edition = Edition.objects.get(programme=programme, slug=spec["edition_slug"])
    series, _ = build.get_or_create(HeatSeries, programme=programme, defaults={"rules": rules})
    period, created = build.get_or_create(
        HeatPeriod,
        edition=edition,
        defaults={
            "series": series,
            "month": spec["month"],
            "published_label": spec["published_label"],
            "online_note": spec["online_note"],
        },
    )
    outlets = {}
    for name, level in jingchu.OUTLETS.items():
        outlets[name], _ = build.get_or_create(Outlet, name=name, defaults={"level": level})
    for order, (level, kind, items) in enumerate(spec["lists"]):
        heat_list, _ = build.get_or_create(
            HeatList, period=period, level=level, kind=kind, defaults={"order": order}
        )
        for unit_name, title, outlet_names, note in items:
            unit = _ensure_unit(build, unit_name) if unit_name else None
            item, item_created = build.get_or_create(
                HeatItem, list=heat_list, unit=unit, title=title, defaults={"source_note": note}
            )
            if item_created:
                for outlet_name in outlet_names:
                    build.add(HeatCoverage, item=item, outlet=outlets[outlet_name])
    if created:
        heat_period_publish(period=period, by=by, at=_local_datetime(spec["published_on"], (0, 0)))
    return period


# --- The open edition, its accounts and cases ----------------------------------------------
def _ensure_current_edition(build, *, organiser, now):
    spec = current.EDITION
    today = timezone.localtime(now).date()
    closes_at = _local_datetime(
        today + datetime.timedelta(weeks=current.WEEKS_UNTIL_DEADLINE), current.CLOSES_AT
    )
    programme = Programme.objects.get(slug=current.PROGRAMME_SLUG)
    edition, created, categories, _ = _ensure_edition(
        build,
        programme,
        spec,
        extra={
            "opens_at": _local_datetime(
                today - datetime.timedelta(weeks=current.WEEKS_OPEN_BEFORE), current.OPENS_AT
            ),
            "closes_at": closes_at,
        },
    )
    round_spec = spec["round"]
    round_, _ = build.get_or_create(
        Round,
        edition=edition,
        order=round_spec["order"],
        defaults={
            "name": round_spec["name"],
            "kind": round_spec["kind"],
            "reviews_per_case": round_spec["reviews_per_case"],
            "aggregation": round_spec["aggregation"],
        },
    )
    for order, (name, description, weight, max_points) in enumerate(round_spec["criteria"]):
        build.get_or_create(
            Criterion,
            round=round_,
            name=name,
            defaults={
                "description": description,
                "weight": weight,
                "max_points": max_points,
                "order": order,
            },
        )
    panel, panel_created = build.get_or_create(Panel, edition=edition, name=spec["panel"]["name"])
    if panel_created:
        panel.categories.set(categories[code] for code in spec["panel"]["categories"])

    if created:
        edition_transition(edition, EditionStatus.OPEN, by=organiser, reason="演示征集")
    elif edition.status == EditionStatus.OPEN and edition.closes_at and edition.closes_at <= now:
        previous = edition.closes_at
        edition.closes_at = closes_at
        edition.save(update_fields=["closes_at", "updated_at"])
        audit_log(
            code="cases.edition.deadline_moved",
            obj=edition,
            by=organiser,
            data={"from": previous.isoformat(), "to": closes_at.isoformat(), "reason": "demo"},
        )
        build.deadline_moved = True
    build.open_edition = edition

    for email, name, title, role in current.JUDGE_ACCOUNTS:
        user = _ensure_user(build, role=AccountRole.JUDGE, email=email, full_name=name, now=now)
        judge = Judge.objects.filter(user=user).first()
        if judge is None:
            judge = build.add(Judge, user=user, name=name, title=title, public=True)
        build.get_or_create(PanelMembership, panel=panel, judge=judge, defaults={"role": role})

    admins = {}
    for unit_name, admin_email, member_email, short in current.UNIT_ACCOUNTS:
        unit = _ensure_unit(build, unit_name)
        admins[unit_name] = _ensure_unit_account(
            build, unit, email=admin_email, full_name=f"{short}演示管理员", now=now, admin=True
        )
        _ensure_unit_account(
            build, unit, email=member_email, full_name=f"{short}演示成员", now=now, admin=False
        )

    for unit_name, code, status, fields in current.CASES:
        if Case.objects.filter(edition=edition, title=fields["title"]).exists():
            continue
        # A unit can start a case only while the call is open; so can the demo.
        if not edition.is_accepting_submissions(now):
            continue
        _ensure_demo_case(
            build,
            edition=edition,
            category=categories[code],
            unit=Unit.objects.get(name=unit_name),
            author=admins[unit_name],
            submit=status == CaseStatus.SUBMITTED,
            fields=fields,
            now=now,
        )
    return edition


def _ensure_demo_case(build, *, edition, category, unit, author, submit, fields, now):
    """Write a demo case as a unit member would in the portal: start it, save the draft,
    and for a submitted one upload its 申报书 (checked by content) and submit."""
    case = case_create(
        edition=edition, unit=unit, by=author, title=fields["title"], category=category, at=now
    )
    build.created[Case] += 1
    content = CaseContent(
        title=fields["title"],
        category=category,
        contact_name=author.full_name,
        contact_phone=author.phone,
        contact_email=author.email,
        declaration_accepted=submit,
        lead_unit_names=[unit.name],
        submitting_unit_name=unit.name,
        **{name: fields.get(name, "") for name in ("summary", *Case.BODY_FIELDS)},
    )
    case_save_draft(case=case, content=content, by=author)
    if not submit:
        return case
    pdf = application_form_pdf(
        programme=edition.programme.name,
        edition=edition.title,
        category=category.name,
        unit=unit.name,
        contact=f"{author.full_name} {author.phone} {author.email}",
        content=fields,
    )
    upload = inspect_upload(
        SimpleUploadedFile("申报书.pdf", pdf, content_type="application/pdf"),
        kind=AttachmentKind.APPLICATION_FORM,
    )
    attachment_add(
        case=case, upload=upload, kind=AttachmentKind.APPLICATION_FORM, by=author, at=now
    )
    build.created[Attachment] += 1
    return case_submit(case=case, by=author, at=now)


def _ensure_user(build, *, role, email, full_name, now, is_staff=False, unit="", phone=""):
    """A demo account; its password (and phone) is set only when the account is created."""
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            full_name=full_name,
            phone=phone,
            is_staff=is_staff,
            email_confirmed_at=now,
        )
        build.created[User] += 1
    build.accounts.append(
        DemoAccount(role=role, email=email, name=full_name, created=created, unit=unit)
    )
    return user


def _ensure_organiser_group(organiser):
    """The demo organiser's power comes from the shipped group 组织方管理员 (cases.roles),
    not from superuser status; an organiser made by an older demo is moved into it."""
    sync_roles(strict=False)
    group = Group.objects.get(name=ORGANISER_ADMIN)
    if organiser.is_superuser or not organiser.groups.filter(pk=group.pk).exists():
        organiser.is_superuser = False
        organiser.save(update_fields=["is_superuser"])
        organiser.groups.add(group)


def _ensure_unit_account(build, unit, *, email, full_name, now, admin):
    role = AccountRole.UNIT_ADMIN if admin else AccountRole.UNIT_MEMBER
    user = _ensure_user(
        build,
        role=role,
        email=email,
        full_name=full_name,
        now=now,
        unit=unit.name,
        phone=current.DEMO_PHONE,
    )
    _, created = build.get_or_create(
        UnitMembership,
        unit=unit,
        user=user,
        defaults={"role": MembershipRole.ADMIN if admin else MembershipRole.MEMBER},
    )
    if created and admin and not unit.verified:
        unit.verified = True
        unit.verified_at = now
        unit.save(update_fields=["verified", "verified_at"])
    return user

"""The organisers' back office: every admin page loads, changelists do not query per row,
non-staff users are kept out, the audit history is read-only, and the edition and unit
actions go through the services."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from cases.admin import changelist, next_in_sequence
from cases.models import (
    AuditEntry,
    Case,
    CaseStatus,
    Edition,
    EditionStatus,
    MediaCoverage,
    PersonalDataRequest,
    QuarantinedFile,
    Region,
    Unit,
    User,
)
from cases.services import audit_log, case_transition
from judging.heat.models import HeatCoverage, HeatItem, HeatList, HeatPeriod, HeatSeries, Outlet
from judging.models import (
    Conflict,
    ConflictSource,
    CriterionScore,
    EditionCommentary,
    Objection,
    Review,
    RoundEntry,
    RoundKind,
    Verification,
    VerificationEvidence,
    Vote,
    VoteChoice,
    VoteThreshold,
)
from tests.factories import (
    make_assignment,
    make_attachment,
    make_award,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_panel,
    make_programme,
    make_region,
    make_round,
    make_staff_without_permissions,
    make_tier,
    make_unit,
    make_user,
)

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def world():
    """One row of every model the back office shows, built through the services where
    there is one. Returns the organiser."""
    organiser = make_organiser(full_name="组织方")
    programme = make_programme(name="粤治—治理现代化", short_name="粤治")
    edition = make_edition(programme=programme, title="第六届", number=6, slug="sixth")
    category = make_category(edition=edition, name="政府治理创新", code="ZF")
    tier = make_tier(edition=edition, name="优秀案例")
    city = make_region(name="汕头市", parent=make_region(name="广东省"))
    unit = make_unit(name="汕头市人民政府", region=city)
    member = make_member(unit=unit)
    case = make_case(edition=edition, category=category, owner_unit=unit, title="数字政府案例")
    MediaCoverage.objects.create(case=case, url="https://example.org/news/1", outlet="南方日报")
    make_attachment(case=case)
    case_transition(case, CaseStatus.SUBMITTED, by=member)  # version, counter, audit row
    judge = make_judge(name="张专家", title="中山大学教授")
    make_panel(edition=edition, categories=[category], judges=[judge])
    scoring = make_round(edition=edition, criteria=[("创新性", 1, 10)])
    review = Review.objects.create(
        assignment=make_assignment(round=scoring, case=case, judge=judge), comment="创新明显"
    )
    CriterionScore.objects.create(
        review=review, criterion=scoring.criteria.get(), value=Decimal("8")
    )
    RoundEntry.objects.create(round=scoring, case=case, score=Decimal("80"), rank=1)
    visit = make_round(edition=edition, order=2, kind=RoundKind.VERIFICATION)
    verification = Verification.objects.create(
        assignment=make_assignment(round=visit, case=case, judge=judge), verified=True
    )
    VerificationEvidence.objects.create(
        verification=verification,
        file=ContentFile(b"\xff\xd8\xff", name="visit.jpg"),
        original_name="现场照片.jpg",
        size=3,
        content_type="image/jpeg",
        sha256="0" * 64,
    )
    vote = make_round(edition=edition, order=3, kind=RoundKind.VOTE)
    Vote.objects.create(round=vote, case=case, judge=judge, choice=VoteChoice.TIER, tier=tier)
    VoteThreshold.objects.create(round=vote, tier=tier, numerator=2, denominator=3, inclusive=True)
    Conflict.objects.create(judge=judge, unit=unit, source=ConflictSource.DECLARED)
    _public_vote_rows(edition=edition, source=scoring, case=case)
    award = make_award(case=case, tier=tier, citation="以数据驱动治理。", commentator=judge)
    Objection.objects.create(
        award=award, name="王某", unit_name="某单位", phone="020-1234567", reason="材料不实"
    )
    EditionCommentary.objects.create(
        edition=edition, text="本届案例覆盖面广。", signed_as="评审委员会"
    )
    Group.objects.create(name="评选组织方")
    # Lockout records (django-axes).
    now = timezone.now()
    AccessAttempt.objects.create(
        username=member.email,
        ip_address="10.0.0.1",
        user_agent="pytest",
        attempt_time=now,
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/accounts/login/",
        failures_since_start=2,
    )
    AccessFailureLog.objects.create(
        username=member.email,
        ip_address="10.0.0.1",
        user_agent="pytest",
        attempt_time=now,
        http_accept="*/*",
        path_info="/accounts/login/",
    )
    AccessLog.objects.create(
        username=member.email,
        ip_address="10.0.0.1",
        user_agent="pytest",
        attempt_time=now,
        http_accept="*/*",
        path_info="/accounts/login/",
    )
    QuarantinedFile.objects.create(
        file=ContentFile(b"infected", name="q"),
        original_name="申报书.pdf",
        size=8,
        sha256="0" * 64,
        signature="Awards.Test.EICAR.UNOFFICIAL",
    )
    PersonalDataRequest.objects.create(user_label="leaver@example.org", reason="离职")
    series = HeatSeries.objects.create(programme=make_programme(name="荆楚网排行榜"))
    month = make_edition(programme=series.programme, title="2023年3月", slug="2023-03")
    period = HeatPeriod.objects.create(series=series, edition=month, month="2023-03-01")
    heat_list = HeatList.objects.create(period=period, level="provincial", kind="case")
    item = HeatItem.objects.create(list=heat_list, unit=unit, title="23℃人社服务")
    HeatCoverage.objects.create(
        item=item, outlet=Outlet.objects.create(name="人民日报", level="central")
    )
    # The CMS (judging/content): an article with an attachment, an image, a menu item.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from judging.content.models import Article, MenuItem
    from judging.content.services import article_save, attachment_add, image_upload
    from tests.factories import pdf_bytes, png_bytes

    article = article_save(
        article=Article(programme=programme, kind="notice", title="征集通知", slug="call"),
        by=organiser,
    )
    attachment_add(
        article=article, file=SimpleUploadedFile("a.pdf", pdf_bytes()), title="通知", by=organiser
    )
    image_upload(file=SimpleUploadedFile("a.png", png_bytes()), by=organiser)
    MenuItem.objects.create(programme=programme, label="通知", article=article)
    return organiser


def _public_vote_rows(*, edition, source, case):
    from django.utils import timezone

    from judging.voting.models import PublicVote, PublicVoteSettings, Voter

    public = make_round(edition=edition, order=4, kind=RoundKind.PUBLIC_VOTE)
    PublicVoteSettings.objects.create(round=public, source_round=source)
    now = timezone.now()
    voter = Voter.objects.create(
        identifier_hash="a" * 64, kind="email", created_at=now, verified_at=now
    )
    PublicVote.objects.create(
        round=public,
        case=case,
        voter=voter,
        day=now.date(),
        day_slot=1,
        case_slot=1,
        ip="203.0.113.9",
        network="203.0.113.0/24",
        created_at=now,
    )


# --- every page loads ----------------------------------------------------------------------
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_pages_load_for_organiser(client, world, model):
    model_admin = admin.site._registry[model]
    if model._meta.label == "auth.Group":
        # Groups are the security administrator's (cases.roles), not the organiser's.
        world.is_superuser = True
        world.save(update_fields=["is_superuser"])
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the world fixture has no {model._meta.label} row: add one"
    client.force_login(world)

    changelist = client.get(admin_url(model, "changelist"))
    searched = client.get(admin_url(model, "changelist"), {"q": "汕头"})
    change = client.get(admin_url(model, "change", obj.pk))
    add_status = client.get(admin_url(model, "add")).status_code

    assert (changelist.status_code, searched.status_code, change.status_code) == (200, 200, 200)
    request = change.wsgi_request
    assert add_status == (200 if model_admin.has_add_permission(request) else 403)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
@pytest.mark.parametrize("query", [{}, {"q": "汕头"}], ids=["all", "searched"])
def test_changelist_rows_are_the_cells_django_renders(client, world, model, query):
    world.is_superuser = model._meta.label == "auth.Group"
    world.save(update_fields=["is_superuser"])
    client.force_login(world)
    cl = client.get(admin_url(model, "changelist"), query).context["cl"]

    ours, django = changelist.result_list(cl), admin_list.result_list(cl)

    django_rows = ["".join(row) for row in django.pop("results")]
    assert ["".join(row) for row in ours.pop("results")] == django_rows
    if cl.formset is None:
        assert ours.pop("rows_html") == "\n".join(f"<tr>{row}</tr>" for row in django_rows)
    assert ours == django


def _cases_to_page(count=23):
    """Cases of two editions and categories, some without 案例编号 (the same empty
    reference: only the primary key orders them), some never submitted."""
    programme = make_programme()
    categories = []
    for number in (1, 2):
        edition = make_edition(programme=programme, number=number, year=2024 + number)
        categories.append(make_category(edition=edition, name="政府治理创新"))
    for n in range(count):
        category = categories[n % 2]
        make_case(
            edition=category.edition,
            category=category,
            reference="" if n % 3 == 0 else f"2026-ZF-{(n * 7) % 30:04d}",
            title=f"案例{(n * 5) % 11}",
            status=CaseStatus.SUBMITTED if n % 4 else CaseStatus.DRAFT,
            submitted_at=None if n % 4 == 0 else timezone.now() - timedelta(hours=n * 13),
        )


@pytest.mark.parametrize(
    "query",
    [{}, {"category__name": "政府治理创新"}, {"o": "2"}, {"o": "-8.1"}, {"o": "7.-2"}],
    ids=["default", "category", "title", "submitted", "status-title"],
)
def test_case_list_pages_are_the_pages_djangos_paginator_cuts(client, monkeypatch, query):
    _cases_to_page()
    monkeypatch.setattr(admin.site._registry[Case], "list_per_page", 5)
    client.force_login(make_organiser())

    for page in range(1, 6):
        cl = client.get(admin_url(Case, "changelist"), {**query, "p": page}).context["cl"]
        expected = Paginator(cl.queryset, 5).page(page).object_list

        assert [case.pk for case in cl.result_list] == [case.pk for case in expected]


DATE_SPREADS = {
    # Local (Asia/Shanghai) midnight is 16:00 UTC.
    "one day": ["2026-03-05 16:00", "2026-03-06 15:59:59.999999"],
    # Two periods need no query (the first's and the last's); three do.
    "two days": ["2026-03-05 15:59", "2026-03-05 16:00"],
    "days apart": ["2026-03-05 10:00", "2026-03-07 10:00"],
    "two months": ["2026-01-31 15:59", "2026-01-31 16:00", "2026-01-20 00:00"],
    "days of a month": [
        "2026-03-01 15:59",
        "2026-03-01 16:00",
        "2026-03-09 08:00",
        "2026-03-31 15:59:59",
    ],
    "months of a year": [
        "2025-12-31 16:00",
        "2026-02-14 03:00",
        "2026-02-28 17:00",
        "2026-12-31 15:59",
    ],
    "years": ["2019-06-30 16:00", "2023-01-01 00:00", "2025-12-31 16:00"],
    "centuries": ["1901-05-01 00:00", "2026-05-01 00:00"],
    # America/Santiago: clocks went from 24:00 to 01:00 on 2022-09-11 (no local midnight)
    # and from 24:00 back to 23:00 on 2022-04-02; Europe/London: 01:00 to 02:00 on 03-27.
    "around changes of offset": [
        "2022-04-03 02:59",
        "2022-04-03 03:00",
        "2022-04-03 04:00",
        "2022-04-03 03:30",
        "2022-09-11 03:59",
        "2022-09-11 04:00",
        "2022-03-27 00:59",
        "2022-03-27 01:00",
    ],
    "never submitted": [],
}


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Santiago", "Europe/London"])
@pytest.mark.parametrize("spread", DATE_SPREADS, ids=list(DATE_SPREADS))
def test_case_list_date_links_are_the_ones_django_shows(client, settings, zone, spread):
    settings.TIME_ZONE = zone
    edition = make_edition(programme=make_programme())
    utc = datetime.UTC
    instants = [
        datetime.datetime.fromisoformat(value).replace(tzinfo=utc) for value in DATE_SPREADS[spread]
    ]
    for instant in instants:
        make_case(edition=edition, status=CaseStatus.SUBMITTED, submitted_at=instant)
    make_case(edition=edition)  # never submitted: no date
    client.force_login(make_organiser())
    local = [timezone.localtime(instant) for instant in instants]
    queries = (
        [{}]
        + [{"submitted_at__year": str(moment.year)} for moment in local[:2]]
        + [
            {"submitted_at__year": str(moment.year), "submitted_at__month": str(moment.month)}
            for moment in local
        ]
        + [
            {
                "submitted_at__year": str(moment.year),
                "submitted_at__month": str(moment.month),
                "submitted_at__day": str(moment.day),
            }
            for moment in local[:2]
        ]
    )

    for query in queries:
        cl = client.get(admin_url(Case, "changelist"), query).context["cl"]

        assert changelist.date_hierarchy(cl) == admin_list.date_hierarchy(cl), query


@pytest.mark.parametrize(
    "days",
    [
        [],
        ["2026-03-01"],
        ["2026-03-01", "2026-03-31"],
        ["2025-12-31", "2026-01-01"],
        ["2019-01-01", "2026-07-08"],
    ],
)
def test_date_links_of_a_date_column_are_the_ones_django_shows(client, days):
    case = make_case(edition=make_edition(programme=make_programme()))
    for n, day in enumerate(days):
        MediaCoverage.objects.create(
            case=case,
            url=f"https://example.org/{n}",
            outlet="南方日报",
            published_on=datetime.datetime.fromisoformat(day).date(),
        )
    client.force_login(make_organiser())

    for query in [{}] + [{"published_on__year": day[:4]} for day in days]:
        cl = client.get(admin_url(MediaCoverage, "changelist"), query).context["cl"]

        assert changelist.date_hierarchy(cl) == admin_list.date_hierarchy(cl), query


@pytest.mark.parametrize(
    "format_string",
    ["Y年n月j日 H:i", "j F Y, H:i", "d.m.y G:i:s", r"\Y Y-m-d", "D, j M Y", "N j, Y, P"],
)
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Santiago", "Europe/London"])
def test_a_datetime_cell_is_the_text_django_formats(settings, format_string, zone):
    settings.TIME_ZONE = zone
    values = [
        datetime.datetime(2026, 3, 1, 0, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 10, 25, 0, 30, 5, tzinfo=datetime.UTC),  # Europe's DST ends
        datetime.datetime(2026, 4, 5, 3, 30, tzinfo=datetime.UTC),  # Santiago's ends
        datetime.datetime(999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC),
    ]
    for language in ("zh-hans", "en"):
        with translation.override(language):
            formatted = changelist.DatetimeFormat(format_string)
            for value in values:
                expected = dateformat.format(timezone.template_localtime(value), format_string)
                assert formatted(value) == expected, (language, value)


# --- query counts --------------------------------------------------------------------------
# Each changelist is fetched with 1 and 5 rows; the literal counts are the same for both.
# They are: session + user (2), two counts (filtered and total), the page of rows, one
# prefetch where a column lists related names (lead units, memberships), the date hierarchy
# (its bounds, then the periods when there are more than two of them: here all the rows
# are of one day; the case list's bounds come with its count) and one query per list
# filter that reads its choices from the database.
def _edition_rows(rows):
    for _ in range(rows):
        edition = make_edition(programme=make_programme())
        make_category(edition=edition)
        make_tier(edition=edition)
        make_case(edition=edition)


def _case_rows(rows):
    for _ in range(rows):
        edition = make_edition(programme=make_programme())
        category = make_category(edition=edition)
        make_case(
            edition=edition,
            category=category,
            lead_units=[make_unit(), make_unit()],
            reference=f"2026-X-{_:04d}",
        )


def _unit_rows(rows):
    for _ in range(rows):
        make_unit(region=make_region(), parent=make_unit())


def _user_rows(rows):
    for _ in range(rows):
        user = make_member(unit=make_unit())
        user.unit_memberships.create(unit=make_unit())


def _audit_rows(rows):
    for _ in range(rows):
        actor = make_user()
        audit_log(code="cases.test.logged", obj=actor, by=actor)


def _award_rows(rows):
    for _ in range(rows):
        edition = make_edition(programme=make_programme())
        make_award(
            case=make_case(edition=edition, category=make_category(edition=edition)),
            tier=make_tier(edition=edition),
            commentator=make_judge(with_account=False),
        )


def _deletion_request_rows(rows):
    for _ in range(rows):
        user = make_user()
        PersonalDataRequest.objects.create(
            user=user, user_label=user.email, handled_by=make_user(), status="refused"
        )


@pytest.mark.parametrize("rows", [1, 5])
@pytest.mark.parametrize(
    ("url_name", "build", "queries"),
    [
        ("admin:cases_edition_changelist", _edition_rows, 10),
        ("admin:cases_case_changelist", _case_rows, 10),
        ("admin:cases_unit_changelist", _unit_rows, 8),
        ("admin:cases_user_changelist", _user_rows, 10),
        ("admin:cases_auditentry_changelist", _audit_rows, 10),
        ("admin:judging_award_changelist", _award_rows, 10),
        ("admin:cases_personaldatarequest_changelist", _deletion_request_rows, 7),
    ],
    ids=["edition", "case", "unit", "user", "auditentry", "award", "deletionrequest"],
)
def test_changelist_query_count_does_not_grow_with_rows(
    client, django_assert_num_queries, url_name, build, queries, rows
):
    organiser = make_organiser()
    build(rows)
    client.force_login(organiser)

    with django_assert_num_queries(queries):
        response = client.get(reverse(url_name))

    assert response.status_code == 200


# --- who gets in ---------------------------------------------------------------------------
@pytest.mark.parametrize("staff_flag", ["anonymous", "unit member"])
def test_admin_redirects_non_staff_to_login(client, staff_flag):
    if staff_flag == "unit member":
        client.force_login(make_member(unit=make_unit()))
    url = reverse("admin:cases_case_changelist")

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={url}"


def test_staff_without_superuser_sees_no_model_without_permission(client):
    staff = make_user(is_staff=True, is_superuser=False)
    client.force_login(staff)

    response = client.get(reverse("admin:cases_auditentry_changelist"))

    assert response.status_code == 403


def test_admin_app_list_is_djangos_and_follows_a_permission_change(client):
    staff = make_user(is_staff=True, is_superuser=False)
    staff.user_permissions.add(Permission.objects.get(codename="view_unit"))
    client.force_login(staff)
    regions = admin_url(Region, "changelist")

    before = client.get(reverse("admin:index"))
    staff.user_permissions.add(Permission.objects.get(codename="view_region"))
    after = client.get(reverse("admin:index"))

    for response in (before, after):
        request = response.wsgi_request
        assert admin.site.get_app_list(request) == admin.AdminSite.get_app_list(admin.site, request)
    assert admin_url(Unit, "changelist") in before.text
    assert (regions in before.text, regions in after.text) == (False, True)


def test_admin_app_list_of_a_superuser_is_djangos_without_reading_permissions(
    client, django_assert_num_queries
):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    request = client.get(reverse("admin:index")).wsgi_request
    request.user = User.objects.get(pk=request.user.pk)  # no permission cache

    with django_assert_num_queries(0):
        ours = admin.site.get_app_list(request)

    assert ours == admin.AdminSite.get_app_list(admin.site, request)


def test_sidebar_is_the_app_list_django_renders_with_the_current_model(client):
    client.force_login(make_organiser())

    for model in (Case, Unit, Case):
        response = client.get(admin_url(model, "changelist"))
        request = response.wsgi_request
        django = render_to_string(
            "admin/app_list.html",
            {
                "app_list": admin.AdminSite.get_app_list(admin.site, request),
                "show_changelinks": False,
                "request": request,
            },
        )

        assert django in response.text
        assert f'<tr class="model-{model._meta.model_name} current-model">' in django


def test_audit_admin_refuses_add_change_delete_even_to_superuser(client):
    superuser = make_organiser()
    entry = audit_log(code="cases.edition.open", obj=superuser, by=superuser, data={"a": 1})
    client.force_login(superuser)

    add = client.get(reverse("admin:cases_auditentry_add"))
    change = client.post(
        reverse("admin:cases_auditentry_change", args=[entry.pk]), {"code": "tampered"}
    )
    delete = client.post(reverse("admin:cases_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    client.post(
        reverse("admin:cases_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )

    entry.refresh_from_db()
    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert (entry.code, entry.data) == ("cases.edition.open", {"a": 1})
    model_admin = admin.site._registry[AuditEntry]
    request = add.wsgi_request
    assert "delete_selected" not in model_admin.get_actions(request)


def test_audit_admin_shows_the_entry_read_only(client):
    superuser = make_organiser()
    entry = audit_log(code="cases.unit.verified", obj=superuser, by=superuser)
    client.force_login(superuser)

    response = client.get(reverse("admin:cases_auditentry_change", args=[entry.pk]))

    assert response.status_code == 200
    assert "cases.unit.verified" in response.text
    assert 'name="code"' not in response.text


# --- edition actions -----------------------------------------------------------------------
def run_action(client, url_name, action, objects):
    return client.post(
        reverse(url_name),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def clone_through_the_form(client, source, **changes):
    """The clone action leads to the clone page; post what it suggests, with `changes`."""
    page = run_action(client, "admin:cases_edition_changelist", "clone_as_next_year", [source])
    form = page.context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(changes)
    return client.post(reverse("admin:cases_edition_clone", args=[source.pk]), data, follow=True)


def test_edition_action_opens_a_draft_edition(client):
    organiser = make_organiser()
    # Opening the call needs a category and a deadline.
    edition = make_edition(status=EditionStatus.DRAFT, closes_at=timezone.now() + timedelta(30))
    make_category(edition=edition)
    client.force_login(organiser)

    response = run_action(client, "admin:cases_edition_changelist", "transition_to_open", [edition])

    edition.refresh_from_db()
    assert edition.status == EditionStatus.OPEN
    assert messages_of(response) == ["1 届的状态已变更为“征集中”。"]
    entry = AuditEntry.objects.get(code="cases.edition.open")
    assert (entry.object_id, entry.actor) == (str(edition.pk), organiser)


def test_edition_action_refuses_a_disallowed_transition_and_changes_nothing(client):
    organiser = make_organiser()
    edition = make_edition(status=EditionStatus.DRAFT, title="第六届")
    client.force_login(organiser)

    response = run_action(
        client, "admin:cases_edition_changelist", "transition_to_published", [edition]
    )

    edition.refresh_from_db()
    assert edition.status == EditionStatus.DRAFT
    assert edition.results_published_at is None
    assert messages_of(response) == [f"“{edition}”不能从“筹备中”变更为“已发布”。"]
    assert not AuditEntry.objects.filter(code__startswith="cases.edition.").exists()


def test_edition_action_on_a_selection_is_all_or_nothing(client):
    organiser = make_organiser()
    draft = make_edition(status=EditionStatus.DRAFT, closes_at=timezone.now() + timedelta(30))
    make_category(edition=draft)
    already_open = make_edition(status=EditionStatus.OPEN)
    client.force_login(organiser)

    response = run_action(
        client, "admin:cases_edition_changelist", "transition_to_open", [draft, already_open]
    )

    draft.refresh_from_db()
    assert draft.status == EditionStatus.DRAFT
    assert messages_of(response) == [
        f"“{already_open}”不能从“征集中”变更为“征集中”。",
        "所选各届的状态均未变更。",
    ]
    assert not AuditEntry.objects.filter(code="cases.edition.open").exists()


def test_clone_action_creates_next_year_draft_with_categories_and_tiers(client):
    organiser = make_organiser()
    source = make_edition(
        status=EditionStatus.ARCHIVED,
        title="第六届",
        number=6,
        year=2018,
        slug="2018",
        period_label="2018—2019年度",
    )
    make_category(edition=source, name="政府治理创新", code="ZF", order=1)
    make_category(edition=source, name="社会治理创新", code="SH", order=2)
    make_tier(edition=source, name="优秀案例", order=1, quota=10)
    client.force_login(organiser)

    response = clone_through_the_form(client, source)

    clone = Edition.objects.get(cloned_from=source)
    assert (clone.year, clone.number, clone.title, clone.slug, clone.period_label) == (
        2019,
        7,
        "第七届",
        "2019",
        "2019—2020年度",
    )
    assert clone.status == EditionStatus.DRAFT
    assert list(clone.categories.values_list("name", "code", "order")) == [
        ("政府治理创新", "ZF", 1),
        ("社会治理创新", "SH", 2),
    ]
    assert list(clone.tiers.values_list("name", "order", "quota")) == [("优秀案例", 1, 10)]
    url = reverse("admin:cases_edition_change", args=[clone.pk])
    assert messages_of(response) == [
        f'已将“{source}”复制为<a href="{url}">{clone}</a>(筹备中),请核对征集时间和征集通知。'
    ]
    assert f'<a href="{url}">' in response.text


def test_clone_page_takes_the_title_year_and_slug_typed_and_refuses_a_taken_slug(client):
    client.force_login(make_organiser())
    source = make_edition(status=EditionStatus.ARCHIVED, title="第六届(演示)", slug="2027-demo")
    make_edition(programme=source.programme, slug="taken")

    refused = clone_through_the_form(client, source, slug="taken")
    done = clone_through_the_form(client, source, title="第七届", year="2028", slug="2028")

    assert "本评选活动已有网址标识为“taken”的一届。" in refused.text
    assert 'value="第七届(演示)"' in refused.text  # what was typed or suggested stays
    clone = Edition.objects.get(cloned_from=source)
    assert (clone.title, clone.year, clone.slug) == ("第七届", 2028, "2028")
    assert done.status_code == 200


def test_clone_page_needs_the_add_permission(client):
    source = make_edition(status=EditionStatus.ARCHIVED)
    client.force_login(make_staff_without_permissions())

    response = client.get(reverse("admin:cases_edition_clone", args=[source.pk]))

    assert response.status_code == 403


def test_clone_action_twice_gives_distinct_slugs(client):
    organiser = make_organiser()
    source = make_edition(status=EditionStatus.ARCHIVED, title="年度评选", year=2021, slug="main")
    client.force_login(organiser)

    clone_through_the_form(client, source)
    clone_through_the_form(client, source)

    clones = Edition.objects.filter(cloned_from=source).order_by("pk")
    assert [(e.year, e.title, e.slug) for e in clones] == [
        (2022, "年度评选(2022)", "main-2022"),
        (2022, "年度评选(2022)", "main-2022-2"),
    ]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("第六届", "第七届"),
        ("第九届", "第十届"),
        ("第十九届", "第二十届"),
        ("第12届", "第13届"),
        ("2018—2019年度", "2019—2020年度"),
        ("2021“粤有数”", "2022“粤有数”"),
        ("2023年3月", "2024年3月"),
        ("年度评选", "年度评选"),
    ],
)
def test_next_in_sequence(label, expected):
    assert next_in_sequence(label) == expected


# --- units ---------------------------------------------------------------------------------
def test_unit_verify_action_verifies_and_audits(client):
    organiser = make_organiser()
    unit = make_unit(name="濠江区人民政府")
    client.force_login(organiser)

    response = run_action(client, "admin:cases_unit_changelist", "verify_units", [unit])

    unit.refresh_from_db()
    assert unit.verified is True
    assert unit.verified_at is not None
    assert messages_of(response) == ["已核验 1 个单位。"]
    entry = AuditEntry.objects.get(code="cases.unit.verified")
    assert (entry.object_id, entry.actor) == (str(unit.pk), organiser)


def test_unit_verify_action_does_not_restamp_a_verified_unit(client):
    organiser = make_organiser()
    unit = make_unit(name="濠江区人民政府")
    client.force_login(organiser)
    run_action(client, "admin:cases_unit_changelist", "verify_units", [unit])
    unit.refresh_from_db()
    first_verified_at = unit.verified_at

    response = run_action(client, "admin:cases_unit_changelist", "verify_units", [unit])

    unit.refresh_from_db()
    assert unit.verified_at == first_verified_at
    assert messages_of(response) == ["单位“濠江区人民政府”已经核验过。"]
    assert AuditEntry.objects.filter(code="cases.unit.verified").count() == 1


# --- users ---------------------------------------------------------------------------------
def test_user_add_form_creates_a_user_with_a_lower_case_email(client):
    client.force_login(make_organiser())

    response = client.post(
        reverse("admin:cases_user_add"),
        {
            "email": "Li.Ming@Example.org",
            "full_name": "李明",
            "usable_password": "true",
            "password1": "a-long-pass-phrase-2026",
            "password2": "a-long-pass-phrase-2026",
            "unit_memberships-TOTAL_FORMS": "0",
            "unit_memberships-INITIAL_FORMS": "0",
        },
    )

    user = User.objects.get(full_name="李明")
    assert response.status_code == 302
    assert user.email == "li.ming@example.org"
    assert user.check_password("a-long-pass-phrase-2026")


def test_user_add_form_refuses_an_email_registered_in_another_case(client):
    client.force_login(make_organiser())
    make_user(email="li.ming@example.org")

    response = client.post(
        reverse("admin:cases_user_add"),
        {
            "email": "LI.MING@example.org",
            "usable_password": "true",
            "password1": "a-long-pass-phrase-2026",
            "password2": "a-long-pass-phrase-2026",
            "unit_memberships-TOTAL_FORMS": "0",
            "unit_memberships-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"email": ["该电子邮箱已注册。"]}


# --- cases ---------------------------------------------------------------------------------
def test_case_change_page_lists_attachments_without_file_links(client):
    organiser = make_organiser()
    case = make_case(edition=make_edition())
    attachment = make_attachment(case=case, name="申报书-终稿.pdf")
    client.force_login(organiser)

    response = client.get(reverse("admin:cases_case_change", args=[case.pk]))

    assert response.status_code == 200
    assert "申报书-终稿.pdf" in response.text
    assert attachment.sha256 in response.text
    assert attachment.file.name not in response.text
    assert "private/attachments" not in response.text


def test_case_change_page_offers_only_the_case_edition_categories(client):
    organiser = make_organiser()
    edition, other = make_edition(), make_edition()
    make_category(edition=edition, name="政府治理创新")
    make_category(edition=other, name="舆情引导")
    case = make_case(edition=edition)
    client.force_login(organiser)

    response = client.get(reverse("admin:cases_case_change", args=[case.pk]))

    form = response.context["adminform"].form
    assert [c.name for c in form.fields["category"].queryset] == ["政府治理创新"]


def test_case_changelist_searches_lead_unit_names(client):
    organiser = make_organiser()
    edition = make_edition()
    make_case(edition=edition, title="一网通办", lead_units=[make_unit(name="上海市大数据中心")])
    make_case(edition=edition, title="社区通")
    client.force_login(organiser)

    response = client.get(reverse("admin:cases_case_changelist"), {"q": "大数据中心"})

    assert [case.title for case in response.context["cl"].result_list] == ["一网通办"]


def test_case_add_form_refuses_a_category_of_another_edition(client):
    client.force_login(make_organiser())
    edition, other = make_edition(), make_edition()
    foreign = make_category(edition=other, name="舆情引导")
    management = {
        f"{prefix}-{name}": "0"
        for prefix in ("lead_unit_links", "media_coverage", "attachments")
        for name in ("TOTAL_FORMS", "INITIAL_FORMS")
    }

    response = client.post(
        reverse("admin:cases_case_add"),
        {"edition": edition.pk, "category": foreign.pk, "title": "案例"} | management,
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "category": ["类别“舆情引导”不属于所选的届。"]
    }
    assert not edition.cases.exists()


def test_case_change_page_links_to_the_version_history(client):
    from django.urls import reverse

    from tests.factories import make_case, make_edition, make_organiser

    case = make_case(edition=make_edition())
    client.force_login(make_organiser())

    response = client.get(reverse("admin:cases_case_change", args=[case.pk]))

    history = reverse("portal:case-history", kwargs={"pk": case.pk})
    assert f'href="{history}"' in response.text
    assert client.get(history).status_code == 200


def test_changelist_checkbox_is_the_markup_django_renders():
    case = make_case(edition=make_edition(), title="“一网通办” <改革> & 创新")
    case_admin = admin.site._registry[type(case)]

    ours = case_admin.action_checkbox(case)

    assert ours == admin.ModelAdmin.action_checkbox(case_admin, case)


def test_case_changelist_loads_only_the_columns_it_shows(client):
    case = make_case(edition=make_edition(), title="一网通办")
    client.force_login(make_organiser())

    response = client.get(reverse("admin:cases_case_changelist"))

    (shown,) = response.context["cl"].result_list
    loaded = {f.attname for f in Case._meta.concrete_fields} - shown.get_deferred_fields()
    assert shown.pk == case.pk
    assert loaded == {
        "id",
        "reference",
        "title",
        "status",
        "submitted_at",
        "edition_id",
        "category_id",
        "submitting_unit_id",
    }


def test_case_rows_share_their_related_rows_and_show_what_select_related_loads(
    django_assert_num_queries,
):
    from cases.admin.shared_rows import rows_sharing_related
    from cases.admin.submissions import CASE_ROW_FIELDS, CASE_ROW_RELATED

    programme = make_programme(short_name="粤治")
    editions = [make_edition(programme=programme), make_edition(programme=programme)]
    category = make_category(edition=editions[0])
    unit = make_unit()
    cases = [
        make_case(edition=editions[0], category=category, submitting_unit=unit),
        make_case(edition=editions[0], category=category, submitting_unit=unit),
        make_case(edition=editions[1], category=None, submitting_unit=None),
        make_case(edition=editions[1], submitting_unit=make_unit()),
    ]
    queryset = Case.objects.filter(pk__in=[case.pk for case in cases]).order_by("-pk")

    rows = rows_sharing_related(queryset, CASE_ROW_FIELDS, CASE_ROW_RELATED)
    expected = list(queryset.select_related("edition__programme", "category", "submitting_unit"))

    def shown(case):
        return (
            case.pk,
            str(case),
            case.status,
            case.submitted_at,
            str(case.edition),
            case.edition.programme.name,
            case.category and str(case.category),
            case.submitting_unit and str(case.submitting_unit),
        )

    assert [shown(row) for row in rows] == [shown(case) for case in expected]
    first, second = rows[3], rows[2]  # the first two cases, in -pk order
    assert first.edition is second.edition and first.category is second.category
    assert first.submitting_unit is second.submitting_unit
    assert rows[0].edition is rows[1].edition
    assert rows[0].edition.programme is first.edition.programme
    assert rows[1].category is None and rows[1].submitting_unit is None
    with django_assert_num_queries(0):
        [shown(row) for row in rows]

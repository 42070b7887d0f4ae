"""The world of the URL × role matrix (tests/security/test_url_matrix.py): one object behind
every URL argument, and one account per role of DESIGN.md §6 and of the shipped groups."""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from cases.models import CaseStatus, CaseVersion, EditionStatus, MembershipRole
from cases.roles import AUDITOR, OBSERVER, REVIEW_SECRETARY
from judging.content.models import ArticleAttachment, ArticleImage, ArticleKind
from judging.models import CitationStatus, Verification
from judging.models import VerificationEvidence as Evidence
from tests.factories import (
    make_award,
    make_case,
    make_category,
    make_edition,
    make_member,
    make_programme,
    make_region,
    make_staff_without_permissions,
    make_tier,
    make_unit,
    make_user,
    pdf_bytes,
    png_bytes,
)
from tests.judging import workspace_scenario
from tests.judging.content.helpers import make_article, publish
from tests.judging.heat.data import make_item, make_list, make_period
from tests.judging.public_data import awarded_case, published_edition
from tests.judging.voting.scenario import make_vote_scenario


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getitem__(self, name):
        return self.objects[name]


def _in_group(name, **fields):
    user = make_staff_without_permissions(**fields)
    user.groups.through.objects.create(user=user, group=Group.objects.get(name=name))
    return user


def build_world():
    w = World()
    s = workspace_scenario.build()
    o = w.objects
    o.update(
        round=s.round,
        case=s.case,
        attachment=s.attachments[0],
        edition=s.edition,
        assignment=s.assignment,
    )
    # The lead unit's case in the portal: submitted once, so it has a version and a receipt.
    o["portal_case"] = s.case
    CaseVersion.objects.create(case=s.case, number=1, data={"title": s.case.title})
    verification = Verification.objects.create(assignment=s.assignment, verified=True)
    o["evidence"] = Evidence.objects.create(
        verification=verification,
        file=ContentFile(pdf_bytes(), name="evidence.pdf"),
        original_name="佐证.pdf",
        size=100,
        content_type="application/pdf",
        sha256="0" * 64,
    )

    # A published edition of a programme, with one award (its certificate, results pages).
    programme = make_programme(name="粤治—治理现代化", slug="yuezhi")
    published = published_edition(programme=programme, year=2025, title="第八届", slug="8")
    category = make_category(edition=published, name="政府治理创新")
    tier = make_tier(edition=published, name="优秀案例")
    region = make_region(name="广东省")
    winner_unit = make_unit(name="汕头市人民政府", region=region)
    winner = awarded_case(edition=published, category=category, lead_units=[winner_unit])
    award = make_award(
        case=winner, tier=tier, citation="点评", citation_status=CitationStatus.APPROVED
    )
    o.update(
        programme=programme,
        published=published,
        winner=winner,
        award=award,
        region=region,
        winner_unit=winner_unit,
    )
    # An edition in 公示 for the objection pages.
    publicity = make_edition(
        programme=programme,
        status=EditionStatus.PUBLICITY,
        title="第九届",
        slug="9",
        publicity_ends_at=timezone.now() + timezone.timedelta(days=5),
    )
    o["publicity"] = publicity
    # An open call for the portal's "new case" page.
    o["open_edition"] = make_edition(programme=programme, status=EditionStatus.OPEN, slug="10")
    make_category(edition=o["open_edition"])

    # Heat month, public vote, an article with an attachment and an image.
    period = make_period()
    heat_list = make_list(period=period)
    o["heat_unit"] = make_item(heat_list=heat_list).unit
    vote_round, vote_cases, _ = make_vote_scenario()
    o.update(vote_round=vote_round, vote_case=vote_cases[0])
    o["vote_image"] = vote_cases[0].attachments.create(
        kind="image",
        file=ContentFile(png_bytes(), name="v.png"),
        original_name="v.png",
        size=100,
        content_type="image/png",
        sha256="0" * 64,
    )
    author = make_user(email="author@example.org", is_staff=True, is_superuser=True)
    article = make_article(programme=programme, by=author, kind=ArticleKind.NOTICE, slug="call")
    publish(article, by=author)
    o["article"] = article
    o["article_attachment"] = ArticleAttachment.objects.create(
        article=article,
        file=ContentFile(pdf_bytes(), name="a.pdf"),
        original_name="申报通知.pdf",
        size=100,
        content_type="application/pdf",
        sha256="0" * 64,
    )
    o["article_image"] = ArticleImage.objects.create(
        file=ContentFile(png_bytes(), name="i.png"), width=1, height=1
    )

    other_unit = make_unit(name="江门市人民政府")
    other_admin = make_member(unit=other_unit, role=MembershipRole.ADMIN)
    make_case(edition=s.edition, owner_unit=other_unit, status=CaseStatus.SUBMITTED)
    w.users = {
        "anonymous": None,
        "member": s.member,
        "other_unit": other_admin,
        "judge": s.judge.user,
        "other_judge": s.other_judge.user,
        "conflicted_judge": s.conflicted_judge.user,
        "chair": s.chair.user,
        "staff_no_perms": make_staff_without_permissions(),
        "secretary": _in_group(REVIEW_SECRETARY),
        "observer": _in_group(OBSERVER),
        "auditor": _in_group(AUDITOR),
        "organiser": s.organiser,
        "superuser": make_user(is_staff=True, is_superuser=True),
    }
    return w

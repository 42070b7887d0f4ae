"""Articles drafted from the data, in the seeds' form, for the editor to rewrite:

- the results article of an edition (seeds 000, 001, 003): a lead paragraph with the counts
  ("从 N 个候选案例中评选出 2 个最佳案例、10 个优秀案例、2 个入围案例"), then per tier and
  category each winner with its 主创单位, summary and the signed, approved 点评;
- a unit's or a region's 成绩单 (seed 004): its awards across editions.

Both create a draft (`article_save`), never a public article."""

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.html import escape
from django.utils.translation import gettext as _

from cases.models import CaseStatus, EditionStatus

from ..selectors import public as results
from .models import Article, ArticleKind
from .services import article_save

# The cases that stood as candidates: everything submitted and not rejected or withdrawn.
CANDIDATE_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.RETURNED,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.AWARDED,
    CaseStatus.NOT_AWARDED,
)


def edition_counts(edition):
    """`(candidates, [(tier name, count), …] in tier order)` for the lead paragraph."""
    candidates = edition.cases.filter(status__in=CANDIDATE_STATUSES).count()
    tiers = list(
        edition.awards.values("tier__name", "tier__order", "tier_id")
        .annotate(n=Count("pk"))
        .order_by("tier__order", "tier_id")
    )
    return candidates, [(row["tier__name"], row["n"]) for row in tiers]


def results_lead(edition):
    candidates, tiers = edition_counts(edition)
    parts = "、".join(f"{n} 个{name}" for name, n in tiers)
    programme = edition.programme.short_name or edition.programme.name
    return f"{programme}{edition.title}从 {candidates} 个候选案例中评选出{parts}。"


def _lead_units(award):
    return "、".join(link.unit.name for link in award.case.lead_unit_links.all())


def _winner_html(number, award):
    html = [f"<p><strong>{number}. {escape(award.case.title)}</strong></p>"]
    units = _lead_units(award)
    if units:
        html.append(f"<p>{escape(_('主创单位'))}:{escape(units)}</p>")
    if award.case.summary:
        html.append(f"<p>{escape(award.case.summary)}</p>")
    if award.public_citation:
        signed = ""
        if award.commentator_id:
            signed = award.commentator.name
            if award.commentator.title:
                signed = f"{signed}({award.commentator.title})"
        html.append(
            f"<blockquote><p>{escape(_('点评'))}:{escape(award.public_citation)}</p>"
            + (f"<p>—— {escape(signed)}</p>" if signed else "")
            + "</blockquote>"
        )
    return "".join(html)


def results_body(edition):
    awards = list(
        results.public_awards(editions=[edition.pk]).order_by(
            "tier__order", "tier_id", "category__order", "category_id", "order", "pk"
        )
    )
    by_category = any(award.category_id for award in awards)
    html = [f"<p>{escape(results_lead(edition))}</p>"]
    for group in results.group_results(awards, by_category=by_category):
        heading = group.tier.name
        if group.category is not None:
            heading = f"{group.category.name} · {group.tier.name}"
        html.append(f"<h3>{escape(heading)}</h3>")
        html.extend(_winner_html(n, award) for n, award in enumerate(group.awards, start=1))
    return "".join(html), [award.case_id for award in awards]


class DraftError(ValidationError):
    pass


def draft_results_article(*, edition, by):
    """A draft 评选结果 article of `edition` (its results must be published)."""
    if edition.status not in (EditionStatus.PUBLISHED, EditionStatus.ARCHIVED):
        raise DraftError(_("结果发布后才能生成结果文章。"))
    body, case_ids = results_body(edition)
    article = Article(
        programme=edition.programme,
        edition=edition,
        kind=ArticleKind.RESULTS,
        title=_("%(edition)s评选结果揭晓") % {"edition": edition.title},
        slug=_unique_slug(edition.programme, f"results-{edition.slug}"),
        summary=results_lead(edition),
        body=body,
    )
    return article_save(article=article, by=by, cases=case_ids)


def draft_unit_report(*, unit, by, programme=None):
    """A draft 成绩单 of `unit` from its public awards (seed 004's form)."""
    editions = results.visible_edition_ids()
    awards = list(results.unit_history(unit, editions=editions))
    return _report(
        title=_("%(name)s获奖成绩单") % {"name": unit.name},
        subject=unit.name,
        awards=awards,
        programme=programme,
        slug=f"report-unit-{unit.pk}",
        by=by,
        units=[unit.pk],
    )


def draft_region_report(*, region, by, programme=None):
    editions = results.visible_edition_ids()
    awards = list(results.region_history(region, editions=editions))
    return _report(
        title=_("%(name)s获奖成绩单") % {"name": region.name},
        subject=region.name,
        awards=awards,
        programme=programme,
        slug=f"report-region-{region.pk}",
        by=by,
        units=None,
    )


def report_lead(subject, awards):
    editions = {award.edition_id for award in awards}
    tiers = {}
    for award in awards:
        tiers[award.tier.name] = tiers.get(award.tier.name, 0) + 1
    parts = "、".join(f"{name} {n} 项" for name, n in tiers.items())
    return (
        f"{subject}在 {len(editions)} 届评选中共有 {len(awards)} 个案例获奖"
        + (f",其中{parts}" if parts else "")
        + "。"
    )


def _report_row(award):
    programme = award.edition.programme
    cells = [
        award.edition.period_label or award.edition.year,
        programme.short_name or programme.name,
        award.case.title,
        award.tier.name,
    ]
    return "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>"


def _report(*, title, subject, awards, programme, slug, by, units):
    rows = "".join(_report_row(award) for award in awards)
    body = (
        f"<p>{escape(report_lead(subject, awards))}</p>"
        f"<table><thead><tr><th>{escape(_('年度'))}</th><th>{escape(_('评选活动'))}</th>"
        f"<th>{escape(_('案例'))}</th><th>{escape(_('奖项'))}</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    article = Article(
        programme=programme,
        kind=ArticleKind.NEWS,
        title=title,
        slug=_unique_slug(programme, slug),
        summary=report_lead(subject, awards),
        body=body,
    )
    return article_save(
        article=article, by=by, cases=[award.case_id for award in awards], units=units
    )


def _unique_slug(programme, base):
    slug, n = base[:70], 1
    while Article.objects.filter(programme=programme, slug=slug).exists():
        n += 1
        slug = f"{base[:70]}-{n}"
    return slug

"""Award certificates (获奖证书) as PDF, one per award, drawn with reportlab.

The CJK text uses reportlab's built-in CID font STSong-Light (Adobe's Song typeface, which
every PDF reader supplies for GB1 text), so nothing is embedded or downloaded.
"""

import io
import re
import zipfile
from xml.sax.saxutils import escape

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from cases.models import CaseLeadUnit, UnitMembership
from cases.selectors import results_visible_editions

from .models import Award

FONT = "STSong-Light"
BRAND = colors.HexColor("#8c1d18")


def _font():
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def certificate_awards():
    """Awards with everything a certificate prints, in a fixed number of queries."""
    return Award.objects.select_related(
        "edition__programme", "case", "tier", "category"
    ).prefetch_related(
        Prefetch(
            "case__lead_unit_links",
            queryset=CaseLeadUnit.objects.select_related("unit").order_by("order", "pk"),
        )
    )


def can_download_certificate(user, award):
    """Organisers always; members of the case's owner unit once the results are public
    (embargo reached). Everybody else, including before publication, gets nothing."""
    if not user.is_authenticated:
        return False
    if user.is_active and user.has_perm("judging.view_award"):
        return True
    if not award.case.owner_unit_id:
        return False
    if not results_visible_editions().filter(pk=award.edition_id).exists():
        return False
    return UnitMembership.objects.filter(user=user, unit_id=award.case.owner_unit_id).exists()


def certificate_date(award):
    when = award.edition.results_published_at or timezone.now()
    return timezone.localtime(when).date()


def certificate_number(award):
    return award.case.reference or f"{award.edition.year}-{award.pk:05d}"


def certificate_filename(award):
    title = re.sub(r'[\\/:*?"<>|\s]+', "_", award.case.title)[:60]
    return _("获奖证书-%(number)s-%(title)s.pdf") % {
        "number": certificate_number(award),
        "title": title,
    }


def _paragraph(c, text, style, x, y, width):
    paragraph = Paragraph(text, style)
    _, height = paragraph.wrap(width, 1000)
    paragraph.drawOn(c, x, y - height)
    return y - height


def render_certificate(award):
    """The certificate of one award as PDF bytes (A4 landscape)."""
    font = _font()
    edition, case = award.edition, award.case
    programme = edition.programme
    units = pgettext("list separator", "、").join(
        link.unit.name for link in case.lead_unit_links.all()
    )
    buffer = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buffer, pagesize=(width, height))
    c.setTitle(_("获奖证书") + f" · {case.title}")
    c.setAuthor(programme.hosts or programme.name)
    c.setSubject(f"{programme.name} {edition.title}")

    c.setStrokeColor(BRAND)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    c.setFillColor(BRAND)
    c.setFont(font, 40)
    c.drawCentredString(width / 2, height - 48 * mm, _("获奖证书"))

    body = ParagraphStyle(
        "body", fontName=font, fontSize=18, leading=32, alignment=TA_LEFT, wordWrap="CJK"
    )
    tier_style = ParagraphStyle(
        "tier",
        fontName=font,
        fontSize=30,
        leading=44,
        alignment=TA_CENTER,
        wordWrap="CJK",
        textColor=BRAND,
    )
    right = ParagraphStyle(
        "right", fontName=font, fontSize=16, leading=26, alignment=TA_RIGHT, wordWrap="CJK"
    )
    small = ParagraphStyle("small", fontName=font, fontSize=11, leading=16, wordWrap="CJK")

    left, text_width = 40 * mm, width - 80 * mm
    y = height - 64 * mm
    y = _paragraph(c, escape(units) + ":", body, left, y, text_width)
    edition_label = f"{programme.name}{edition.title}"
    if edition.period_label:
        edition_label += f"({edition.period_label})"
    sentence = "\u3000\u3000" + _("贵单位的案例“%(title)s”在%(edition)s评选中,经专家评审,荣获") % {
        "title": escape(case.title),
        "edition": escape(edition_label),
    }
    y = _paragraph(c, sentence, body, left, y - 4 * mm, text_width)
    tier_label = award.tier.name
    if award.category_id:
        tier_label = f"{award.category.name} · {tier_label}"
    y = _paragraph(c, escape(tier_label), tier_style, left, y - 8 * mm, text_width)
    _paragraph(c, "\u3000\u3000" + _("特发此证,以资鼓励。"), body, left, y - 6 * mm, text_width)

    day = certificate_date(award)
    issuer = programme.hosts or programme.name
    footer = f"{escape(issuer)}<br/>{date_format(day, 'DATE_FORMAT')}"
    _paragraph(c, footer, right, left, 58 * mm, text_width)
    number = _("证书编号:%(number)s") % {"number": escape(certificate_number(award))}
    _paragraph(c, number, small, left, 26 * mm, text_width)

    c.showPage()
    c.save()
    return buffer.getvalue()


def certificates_zip(awards):
    """A zip of the certificates of `awards` (use `certificate_awards()` to build it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for award in awards:
            archive.writestr(certificate_filename(award), render_certificate(award))
    return buffer.getvalue()

"""The 申报书 of a demo case: a small A4 PDF drawn with reportlab, so that the demo submits
its cases with a real application form that passes the portal's content check.

Chinese text uses reportlab's built-in CID font STSong-Light (as the receipt and the
certificate do), so nothing is embedded. The document is built `invariant` (no creation
time, fixed document id): the same case gives the same bytes, hence the same SHA-256.
"""

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cases.models import Case

FONT = "STSong-Light"


def _font():
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def application_form_pdf(*, programme, edition, category, unit, contact, content):
    """Bytes of the 申报书 of a demo case. `content` maps the case's text fields (title,
    summary and the body sections) to their text; `contact` is one line of text."""
    font = _font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=1)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=18, spaceBefore=8)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK")
    note = ParagraphStyle("note", parent=body, fontSize=9, textColor=colors.grey)

    def p(text, style=body):
        return Paragraph(escape(str(text)), style)

    rows = [
        ("评选活动", f"{programme} · {edition}"),
        ("案例类别", category),
        ("案例名称", content["title"]),
        ("申报单位", unit),
        ("联系人", contact),
    ]
    table = Table([[p(label), p(value)] for label, value in rows], colWidths=[30 * mm, 140 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = [p("案例申报书", title_style), Spacer(1, 6 * mm), table]
    for name in ("summary", *Case.BODY_FIELDS):
        story += [p(Case._meta.get_field(name).verbose_name, heading), p(content.get(name, ""))]
    story += [Spacer(1, 8 * mm), p("本申报书为演示数据,由演示数据生成程序自动生成。", note)]

    buffer = BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"案例申报书 {content['title']}",
        invariant=True,
    ).build(story)
    return buffer.getvalue()

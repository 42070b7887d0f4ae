"""The PDF receipt of a submission (reportlab; Chinese text through the built-in STSong-Light
CID font, so no font file ships with the app)."""

from io import BytesIO

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

FONT = "STSong-Light"


def _font():
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def receipt_pdf(case, version):
    """Bytes of an A4 receipt for `version` (a CaseVersion) of `case`."""
    font = _font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=13, textColor=colors.grey)
    data = version.data
    submitted = date_format(timezone.localtime(version.submitted_at), "DATETIME_FORMAT")

    def p(text, style=body):
        return Paragraph(_escape(text), style)

    rows = [
        (_("案例编号"), case.reference),
        (_("评选活动"), f"{case.edition.programme.name} · {case.edition.title}"),
        (_("案例类别"), data.get("category", "")),
        (_("案例名称"), data.get("title", "")),
        (_("主创单位"), pgettext("list separator", "、").join(data.get("lead_units", []))),
        (_("报送单位"), data.get("submitting_unit", "")),
        (_("联系人"), f"{data.get('contact_name', '')}  {data.get('contact_phone', '')}"),
        (_("联系邮箱"), data.get("contact_email", "")),
        (
            _("提交时间"),
            _("%(time)s(北京时间),第 %(n)d 次提交") % {"time": submitted, "n": version.number},
        ),
    ]
    table = Table([[p(label), p(value)] for label, value in rows], colWidths=[32 * mm, 138 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    files = [[p(_("附件")), p(_("文件名")), p(_("大小(字节)")), p("SHA-256")]]
    labels = {"application_form": _("申报书"), "supporting": _("佐证材料"), "image": _("图片")}
    for item in data.get("attachments", []):
        files.append(
            [
                p(labels.get(item["kind"], item["kind"])),
                p(item["name"]),
                p(str(item["size"])),
                p(item["sha256"], small),
            ]
        )
    file_table = Table(files, colWidths=[22 * mm, 58 * mm, 22 * mm, 68 * mm])
    file_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=_("案例申报回执 %(reference)s") % {"reference": case.reference},
    )
    document.build(
        [
            Paragraph(_escape(_("案例申报回执")), title_style),
            Spacer(1, 8 * mm),
            table,
            Spacer(1, 6 * mm),
            KeepTogether([p(_("已提交的附件")), Spacer(1, 2 * mm), file_table]),
            Spacer(1, 6 * mm),
            p(
                _("本回执由系统根据提交时保存的版本生成。附件的 SHA-256 可用于核对文件未被改动。"),
                small,
            ),
        ]
    )
    return buffer.getvalue()

from django import forms
from django.utils.translation import gettext_lazy as _


class MentionImportForm(forms.Form):
    file = forms.FileField(
        label=_("提及量文件(xlsx 或 csv)"),
        help_text=_("每行一个条目:「单位」「名称」两列,其余每列一个平台。"),
    )


class PublishForm(forms.Form):
    published_at = forms.DateTimeField(
        label=_("公开时间(北京时间)"),
        required=False,
        help_text=_("留空:立即公开(已发布的月份保留原公开时间)。例如 2023-04-29 10:00"),
    )

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from ..admin.changelist import result_list

register = template.Library()


@register.tag(name="backoffice_result_list")
def backoffice_result_list_tag(parser, token):
    """Django's {% result_list cl %}, its rows planned once per page (cases.admin.changelist)."""
    return InclusionAdminNode(
        parser,
        token,
        func=result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.template.defaultfilters import urlencode
from django.template.loader import render_to_string
from django.utils.translation import get_language

from ..admin.changelist import date_hierarchy, result_list

register = template.Library()


@register.tag(name="backoffice_result_list")
def backoffice_result_list_tag(parser, token):
    """Django's {% result_list cl %}, its rows planned once per page (cases.admin.changelist)."""
    return InclusionAdminNode(
        parser,
        token,
        func=result_list,
        template_name="backoffice/change_list_results.html",
        takes_context=False,
    )


@register.tag(name="backoffice_date_hierarchy")
def backoffice_date_hierarchy_tag(parser, token):
    """Django's {% date_hierarchy cl %}, its periods found without a date function per row
    (cases.admin.changelist.PeriodsFromBounds)."""
    return InclusionAdminNode(
        parser,
        token,
        func=date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )


SIDEBARS_KEPT = 512
_sidebars = {}


@register.simple_tag(takes_context=True)
def nav_app_list(context, app_list):
    """admin/app_list.html as Django's sidebar includes it (show_changelinks off), rendered
    once for each list of models and current page among them: on every admin page it was a
    sixth of a 100-row case list. The key holds everything that template reads."""
    request = context["request"]
    path = urlencode(request.path)
    key = (
        get_language(),
        tuple(
            (
                app["app_label"],
                app["app_url"],
                str(app["name"]),
                app["app_url"] in path,
                tuple(
                    (
                        model["object_name"],
                        str(model["name"]),
                        model.get("admin_url"),
                        model.get("add_url"),
                        model.get("view_only"),
                        bool(model.get("admin_url")) and model["admin_url"] in path,
                    )
                    for model in app["models"]
                ),
            )
            for app in app_list
        ),
    )
    html = _sidebars.get(key)
    if html is None:
        if len(_sidebars) >= SIDEBARS_KEPT:
            _sidebars.clear()
        html = _sidebars[key] = render_to_string(
            "admin/app_list.html",
            {"app_list": app_list, "show_changelinks": False, "request": request},
        )
    return html  # render_to_string's SafeString: the template escaped what it shows

"""Display of exact numbers (Fractions, Decimals) in the result pages, rounded half-up."""

from django import template

from ..tabulation import to_decimal

register = template.Library()


@register.filter
def places(value, digits=2):
    if value is None or value == "":
        return "—"
    return to_decimal(value, int(digits))


@register.filter
def signed_places(value, digits=2):
    if value is None or value == "":
        return "—"
    rounded = to_decimal(value, int(digits))
    return f"+{rounded}" if rounded > 0 else str(rounded)

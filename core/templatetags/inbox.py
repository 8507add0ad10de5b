"""``{% load inbox %}{% inbox_count as n %}``: how many items await the user (core.inbox.count_for),
for the header of every admin page (web/templates/admin/base_site.html). One query per provider."""

from django import template

from core.inbox import count_for

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_count(context) -> int:
    request = context.get("request")
    return count_for(context.get("user") or getattr(request, "user", None))

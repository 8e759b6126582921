"""``{% load portal_cells %}`` ``{{ c|cell }}``: a figure's cell (``portal.pages.Cell``) as
the pages print it, the value with its status letter beside it, a suppressed or withheld one
as "—" with its status. A filter, not an included template: a product page prints some 130."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from metalstat.portal.pages import Cell

register = template.Library()

_STATUS = '<abbr class="status" title="{}">{}</abbr>'


@register.filter
def cell(c: Cell | None) -> SafeString | str:
    if c is None:
        return ""
    if c.hidden:
        return format_html(
            '<span class="hidden-value" title="{}">{}</span> ' + _STATUS, c.title, c.text, c.title, c.status
        )
    if c.status:
        return format_html("{} " + _STATUS, c.text, c.title, c.status)
    return conditional_escape(c.text)

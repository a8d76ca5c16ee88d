"""`{% filter_bar filter with_buttons=True %}`: a list's filter bar, from the cache when it can be
(apps/core/filterbar.py)."""

from django import template
from django.utils.safestring import mark_safe

from apps.core.filterbar import render_bar

register = template.Library()


@register.simple_tag(takes_context=True)
def filter_bar(context, filterset, **extra):
    return mark_safe(render_bar(filterset, context["request"], **extra))  # noqa: S308 -- rendered by a template

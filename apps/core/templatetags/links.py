"""Template tags for links: which nav entry the page being shown belongs to."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def is_current_page(context, *view_names: str) -> bool:
    """Whether the request resolved to one of `view_names` ("namespace:url_name").

    The resolved name, not the path, so a page keeps its nav entry when its path changes and a
    query string (?unit=3) does not lose it.
    """
    match = getattr(context.get("request"), "resolver_match", None)
    return match is not None and match.view_name in view_names

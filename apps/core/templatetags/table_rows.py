"""The lists' table rows, written out in one pass instead of django-tables2's per-cell path.

django-tables2 renders each cell through `BoundRow.get_cell`, which asks `inspect.signature`
which arguments the column's render method takes, builds the column's attributes again and goes
through a template loop: per cell, not per column. On a 25-row page of ten columns that is a
large share of the page's time. `{% table_rows table %}` works out once per column what
django-tables2 works out per cell (the render method's arguments, the cell's attributes when they
are not computed from the record) and writes the same HTML: the `<tr>` with its even/odd class,
each `<td>` with its column's attributes and data-label, the value rendered by the same
render_<name> / column.render, linkified and localized the same way.
"""

import datetime
from functools import partialmethod

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import force_str
from django.utils.formats import date_format, localize
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django_tables2.columns.base import LinkTransform
from django_tables2.columns.datecolumn import DateColumn
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.columns.templatecolumn import TemplateColumn
from django_tables2.utils import A, Accessor, AttributeDict, signature

from apps.core.stack import run_on_fresh_chunk

register = template.Library()


class _Column:
    """What a bound column's cells share: worked out once per table, not once per cell."""

    def __init__(self, bound_column, use_l10n, use_tz):
        self.bound = bound_column
        self.column = bound_column.column
        self.accessor = A(bound_column.accessor)
        self.render = _compiled_template_render(self.column, bound_column.render)
        args, catch_all = signature(self.render)
        self.args = None if catch_all else args
        self.link = bound_column.link
        self.fast_link = _FastLink.of(self.link)
        self.localize = bound_column.localize
        self.use_l10n = use_l10n
        self.use_tz = use_tz
        self.default = bound_column.default
        self.empty_values = self.column.empty_values
        self.many = isinstance(self.column, ManyToManyColumn)
        self.link_text = isinstance(self.column, BaseLinkColumn) and self.column.text is not None
        self.choice_labels = _UNKNOWN  # worked out on the first row
        self.plain: dict[type, bool] = {}  # by record class: see _is_plain
        header = bound_column.header
        self.data_label = format_html(' data-label="{}"', header) if header else ""
        attrs = dict(bound_column._table.attrs)
        attrs.update(dict(self.column.attrs))
        td = attrs.get("td", attrs.get("cell", {}))
        # Attributes computed from the record or value are left to django-tables2, per cell.
        self.computed_attrs = any(callable(value) for value in td.values())
        self.td = None if self.computed_attrs else bound_column.attrs["td"].as_html()

    def value(self, record):
        """The cell's value as BoundRow._get_and_render_with finds it (get_FOO_display for a
        field with choices), or the marker _EMPTY when the column's default is shown."""
        plain = self.plain.get(type(record))
        if plain is None:
            plain = self.plain[type(record)] = self._is_plain(record)
        if not plain:
            return self._value(record)
        # An attribute of the model read as Accessor.resolve reads it; anything else (missing,
        # callable) goes the whole way.
        try:
            value = getattr(record, self.accessor)
        except Exception:
            return self._value(record)
        if callable(value):
            return self._value(record)
        if value in self.empty_values or (self.many and not value.exists()):
            return _EMPTY
        return value

    def _is_plain(self, record) -> bool:
        """Whether the accessor names an attribute of a model record without choices to show."""
        return (
            isinstance(record, models.Model)
            and A.SEPARATOR not in self.accessor
            and "." not in self.accessor
            and not hasattr(type(record), "__getitem__")
            and not (hasattr(record, f"get_{self.accessor}_display") and self._has_choices(record))
        )

    def _value(self, record):
        penultimate, remainder = self.accessor.penultimate(record)
        value = None
        if isinstance(penultimate, models.Model):
            labels = self._labels(penultimate, remainder, record)
            if labels is not None:
                raw = getattr(penultimate, remainder)
                value = force_str(labels.get(make_hashable(raw), raw), strings_only=True)
                remainder = None
            else:
                display = getattr(penultimate, f"get_{remainder}_display", None)
                if display is not None and self._has_choices(record):
                    value, remainder = display(), None
        if remainder:
            try:
                value = self.accessor.resolve(record)
            except Exception:
                if self.link_text:
                    return _LINK_TEXT
        if value in self.empty_values or (self.many and not value.exists()):
            return _EMPTY
        return value

    def _has_choices(self, record) -> bool:
        try:
            field = self.accessor.get_field(record)
        except FieldDoesNotExist:
            return False
        return bool(getattr(field, "choices", ()))

    def _labels(self, instance, name, record):
        """{stored value: label} of a field with choices whose get_FOO_display is Django's own,
        built once per column: Django's builds the dict (and translates every label) per call."""
        if self.choice_labels is _UNKNOWN:
            self.choice_labels = None
            display = _class_attribute(type(instance), f"get_{name}_display")
            if isinstance(display, partialmethod) and self._has_choices(record):
                field = display.keywords.get("field")
                self.choice_labels = {
                    make_hashable(key): str(label) for key, label in field.flatchoices
                }
        return self.choice_labels

    def cell(self, row, record):
        value = self.value(record)
        if value is _EMPTY:
            content = self.default
        else:
            kwargs = {
                "value": None if value is _LINK_TEXT else value,
                "record": record,
                "column": self.column,
                "bound_column": self.bound,
                "bound_row": row,
                "table": self.bound._table,
            }
            if self.args is None:
                content = self.render(**kwargs)
            elif all(arg in kwargs for arg in self.args):
                content = self.render(**{arg: kwargs[arg] for arg in self.args})
            else:
                content = None
            if self.link:
                fast = self.fast_link(content, record) if self.fast_link else None
                content = self.link(content, **kwargs) if fast is None else fast
        return content

    def td_attrs(self, record, content):
        if not self.computed_attrs:
            return self.td
        self.bound.current_value = content
        self.bound.current_record = record
        return self.bound.attrs["td"].as_html()

    def html(self, content) -> str:
        """The cell's content as `{{ cell }}`, `{{ cell|localize }}` or `{{ cell|unlocalize }}`."""
        content = template_localtime(content, use_tz=self.use_tz)
        if self.localize is None:
            return conditional_escape(localize(content, use_l10n=self.use_l10n))
        if self.localize:
            return conditional_escape(localize(content, use_l10n=True))
        return conditional_escape(localize(content, use_l10n=False))


def _compiled_template_render(column, render):
    """`render`, except for a TemplateColumn's own render from template code (DateColumn's
    `{{ value|date:... }}`): django-tables2 compiles that template again for every cell; here it
    is compiled once per column and rendered the same way, in the table's context. A DateColumn's
    date (not a datetime, which the template would turn to local time first) is formatted as its
    `date` filter formats it, without the template."""
    if not (
        isinstance(column, TemplateColumn)
        and column.template_code
        and getattr(render, "__func__", None) is TemplateColumn.render
        and getattr(render, "__self__", None) is column
    ):
        return render
    compiled = Template(column.template_code)
    date_code = _date_format_of(column)

    def render_template(record, table, value, bound_column, **kwargs):
        if date_code is not None and type(value) is datetime.date:
            # {{ value|date:"..."|default:default }}, escaped as the template escapes it.
            return conditional_escape(date_format(value, date_code) or bound_column.default)
        parent_context = getattr(table, "context", Context())
        context = column.get_context_data(
            record=record, table=table, value=value, bound_column=bound_column, **kwargs
        )
        with parent_context.update(context):
            parent_context["request"] = getattr(table, "request", None)
            return compiled.render(parent_context)

    return render_template


def _date_format_of(column) -> str | None:
    """The format of a DateColumn's own template, `{{ value|date:"FORMAT"|default:default }}`."""
    if type(column) is not DateColumn:
        return None
    head, tail = '{{ value|date:"', '"|default:default }}'
    code = column.template_code
    if not (code.startswith(head) and code.endswith(tail)):
        return None
    found = code[len(head) : -len(tail)]
    return None if '"' in found else found


class _FastLink:
    """A `linkify=(view name, [accessors])` link written from the URL reversed once per table.

    django-tables2 reverses the URL for every cell. When the view name is fixed, every argument
    is an accessor and the `<a>`'s attributes are fixed, the URL is reversed once with marker
    numbers for the arguments; a cell's URL is that with the row's numbers put in their place,
    as reversing an `<int:...>` route would write them. A row whose argument is not an int, or
    a URL the markers cannot be found in once each, goes through django-tables2's own link.
    """

    MARKER = 987_654_321_012_345_000

    def __init__(self, pieces, accessors, attrs_html):
        self.pieces, self.accessors, self.attrs_html = pieces, accessors, attrs_html

    @classmethod
    def of(cls, link):
        if type(link) is not LinkTransform or link.url is not None:
            return None
        params = link.reverse_args
        viewname = params.get("viewname")
        if type(viewname) is not str or set(params) - {"viewname", "args", "kwargs"}:
            return None
        args, kwargs = list(params.get("args") or ()), dict(params.get("kwargs") or {})
        accessors = [*args, *kwargs.values()]
        if not accessors or not all(isinstance(each, Accessor) for each in accessors):
            return None
        attrs = dict(link.attrs or {})
        if "href" in attrs or any(
            callable(value) or isinstance(value, dict) for value in attrs.values()
        ):
            return None
        markers = [cls.MARKER + index for index in range(len(accessors))]
        try:
            url = reverse(
                viewname,
                args=markers[: len(args)] or None,
                kwargs=dict(zip(kwargs, markers[len(args) :], strict=True)) or None,
            )
        except NoReverseMatch:
            return None
        # Split the URL at the markers, in the order they appear in it.
        order = sorted(range(len(markers)), key=lambda index: url.find(str(markers[index])))
        if any(url.count(str(marker)) != 1 for marker in markers):
            return None
        pieces, rest = [], url
        for index in order:
            before, rest = rest.split(str(markers[index]), 1)
            pieces.append(before)
        pieces.append(rest)
        ordered = [accessors[index] for index in order]
        attrs_html = AttributeDict(attrs).as_html()
        return cls(pieces, ordered, f"{attrs_html} " if attrs_html else "")

    def __call__(self, content, record):
        """The cell's `<a>`, or None to leave it to django-tables2."""
        values = [accessor.resolve(record) for accessor in self.accessors]
        if any(type(value) is not int for value in values):
            return None
        url = self.pieces[0] + "".join(
            str(value) + piece for value, piece in zip(values, self.pieces[1:], strict=True)
        )
        return mark_safe(  # noqa: S308 -- the URL and the content are escaped here
            f'<a {self.attrs_html}href="{conditional_escape(url)}">{conditional_escape(content)}</a>'
        )


_EMPTY = object()
_LINK_TEXT = object()
_UNKNOWN = object()


def _class_attribute(cls, name):
    """`name` as defined on `cls` or the first class of its MRO that defines it (no descriptor)."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    """The `<tr>` of every row on the table's page, as templates/includes/table.html wrote them.

    The rows are written on a frame-stack chunk of their own (apps/core/stack.py): a loop of
    calls per cell is exactly what CPython's chunk thrashing hits."""
    return run_on_fresh_chunk(_rows, context, table)


def _rows(context, table):
    columns = [
        _Column(bound_column, context.use_l10n, context.use_tz) for bound_column in table.columns
    ]
    parts = []
    for row in table.paginated_rows:
        record = row.record
        parts.append(f"<tr {row.attrs.as_html()}>")
        for column in columns:
            content = column.cell(row, record)
            parts.append(
                f"<td {column.td_attrs(record, content)}{column.data_label}>"
                f"{column.html(content)}</td>"
            )
        parts.append("</tr>")
    if not parts and table.empty_text:
        parts.append(
            format_html('<tr><td colspan="{}">{}</td></tr>', len(table.columns), table.empty_text)
        )
    return mark_safe("\n".join(parts))  # noqa: S308 -- every part is escaped above

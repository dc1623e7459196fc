"""A form renderer that draws the plain widgets (inputs, selects, textareas) in Python.

Django draws each widget through its templates, a select through one more template (and
its attributes through another) for every option: the triage queue's two forms cost a
third of the page. This renderer writes the same markup as those templates (the tests
compare the two for every field of the audit forms) and leaves every other template, and
any value it does not know how to write as the template would, to Django's.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

WIDGETS = "django/forms/widgets/"
INPUTS = {
    f"{WIDGETS}{kind}.html"
    for kind in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
}
OPTION = f"{WIDGETS}select_option.html"


class Unusual(Exception):
    """A value the template would localize or otherwise treat specially: let it draw."""


def _text(value: object) -> str:
    """{{ value }} for text: escaped unless already safe."""
    if isinstance(value, str | Promise):
        return conditional_escape(value)
    raise Unusual


def _s(value: object) -> str:
    """{{ value|stringformat:'s' }}"""
    if isinstance(value, SafeData):
        return str(value)
    if isinstance(value, tuple):
        value = str(value)
    return conditional_escape("%s" % value)  # noqa: UP031 (stringformat's own operator)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_s(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_s(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _select(widget: dict) -> str:
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                raise Unusual
            out.append(
                f'\n  <option value="{_s(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _textarea(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


class WidgetRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict, request: object = None) -> str:
        if request is None and "widget" in context:
            draw = (
                _input
                if template_name in INPUTS
                else {f"{WIDGETS}select.html": _select, f"{WIDGETS}textarea.html": _textarea}.get(
                    template_name
                )
            )
            if draw is not None:
                try:
                    return mark_safe(draw(context["widget"]))
                except Unusual:
                    pass
        return super().render(template_name, context, request)


renderer = WidgetRenderer()

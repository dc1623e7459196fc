"""The audit forms' widgets are drawn in Python exactly as Django's templates draw them."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import override

from screening.audit import forms as audit_forms
from screening.audit.widgets import WIDGETS, renderer
from tests.factories import make_user

FORMS = [
    cls
    for cls in vars(audit_forms).values()
    if isinstance(cls, type) and issubclass(cls, audit_forms.Form) and cls is not audit_forms.Form
]
DATA = {
    "status": "open",
    "sev_deg": "2",
    "division": '37"<&>',
    "amount_min": "-1",
    "q": "x" * 50,
    "mine": "on",
    "note": "a\nb <i>",
    "text": "",
    "result": "present",
    "checked_at": "2026-03-01T09:00",
    "kind": "recovery",
    "amount": "12.5",
    "reward_status": "x",
}


def drawn(form):
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize("cls", FORMS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("data", [None, {}, DATA], ids=["unbound", "empty", "filled"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_field_is_drawn_as_the_templates_draw_it(db, monkeypatch, cls, data, language):
    templates = []
    monkeypatch.setattr(
        renderer,
        "get_template",
        lambda name: templates.append(name) or renderer.engine.get_template(name),
    )
    make_user("auditor", region_code="3701")
    kwargs = {"region_code": "37"} if cls in (audit_forms.BulkForm, audit_forms.AssignForm) else {}
    with override(language):
        ours = cls(data, **kwargs)
        theirs = cls(data, renderer=DjangoTemplates(), **kwargs)
        if data:
            ours.is_valid(), theirs.is_valid()

        assert ours.renderer is renderer
        assert drawn(ours) == drawn(theirs)
        assert not {f"{WIDGETS}{kind}.html" for kind in ("text", "select")} & set(templates)


class Odd(audit_forms.Form):
    grouped = forms.ChoiceField(
        choices=[("", "—"), ("Group <1>", [("a", "A & a"), ("b", mark_safe("<b>B</b>"))])],
        widget=forms.Select(attrs={"data-x": 'q"', "disabled": True, "hidden": False}),
    )
    numbered = forms.TypedChoiceField(choices=[(1, 1), (2, 2.5)], coerce=int)
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
    radio = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
    text = forms.CharField(initial=mark_safe("<safe>"), widget=forms.Textarea)
    hidden = forms.CharField(widget=forms.HiddenInput, initial=("a", 1))


@pytest.mark.parametrize("data", [None, {"grouped": "b", "many": ["a", "b"], "numbered": "2"}])
def test_odd_choices_and_attributes_are_drawn_the_same_or_left_to_the_templates(data):
    assert drawn(Odd(data)) == drawn(Odd(data, renderer=DjangoTemplates()))

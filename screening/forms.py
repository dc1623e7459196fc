"""The back office's form to start a screening run."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

CODES = re.compile(r"[\s,，;；]+")


def _codes(text: str) -> list[str]:
    return [code for code in CODES.split(text.strip()) if code]


class RunStartForm(forms.Form):
    window_start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    window_end = forms.DateField(
        label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    divisions = forms.CharField(
        label=_("Divisions"),
        required=False,
        help_text=_("Division codes or prefixes, e.g. 370102; empty: everywhere you may screen."),
    )
    institutions = forms.CharField(
        label=_("Institutions"),
        required=False,
        help_text=_("Institution codes, e.g. H37010200001; empty: every institution."),
    )

    def clean_divisions(self) -> list[str]:
        codes = _codes(self.cleaned_data["divisions"])
        bad = [code for code in codes if not code.isdigit() or len(code) > 6]
        if bad:
            raise forms.ValidationError(
                _("Not a division code: %(codes)s.") % {"codes": ", ".join(bad)}
            )
        return codes

    def clean_institutions(self) -> list[str]:
        return _codes(self.cleaned_data["institutions"])

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end < start:
            self.add_error("window_end", _("The window ends before it starts."))
        return data

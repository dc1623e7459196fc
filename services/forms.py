"""Forms of the window: they parse and label input; the actions decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from services.models import Channel, CrossRegionFiling, ServiceItem
from services.selectors import chronic_disease_options

MEDICAL_TYPES = [
    ("11", _("General outpatient")),
    ("13", _("Emergency")),
    ("14", _("Outpatient chronic/special disease")),
    ("21", _("General inpatient")),
]


class StartForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    phone = forms.CharField(label=_("Phone for notices"), max_length=20, required=False)
    proxy_name = forms.CharField(label=_("Proxy's name"), max_length=50, required=False)
    proxy_certno = forms.CharField(label=_("Proxy's ID number"), max_length=18, required=False)
    proxy_relation = forms.CharField(
        label=_("Relation to the person"), max_length=50, required=False
    )

    def __init__(self, *args: object, item: ServiceItem, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["channel"].choices = [c for c in Channel.choices if c[0] in item.channels]
        for name, field in FLOW_FIELDS.get(item.flow, {}).items():
            self.fields[name] = field()

    def details(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in FLOW_FIELDS.get(self.item.flow, {})}


def _chronic_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Disease"), choices=chronic_disease_options)


FLOW_FIELDS = {
    ServiceItem.Flow.CHRONIC: {"disease_code": _chronic_field},
    ServiceItem.Flow.FILING: {
        "kind": lambda: forms.ChoiceField(
            label=_("Filing type"), choices=CrossRegionFiling.Kind.choices
        ),
        "destination": lambda: forms.CharField(label=_("Destination"), max_length=100),
        "valid_from": lambda: forms.CharField(label=_("Valid from (YYYY-MM-DD)"), max_length=10),
    },
    ServiceItem.Flow.REIMBURSEMENT: {
        "institution_code": lambda: forms.CharField(label=_("Institution code"), max_length=20),
        "medical_type": lambda: forms.ChoiceField(label=_("Medical type"), choices=MEDICAL_TYPES),
        "begin_date": lambda: forms.CharField(label=_("Treatment began (YYYY-MM-DD)")),
        "end_date": lambda: forms.CharField(label=_("Treatment ended (YYYY-MM-DD)")),
        "diagnosis": lambda: forms.CharField(label=_("Main diagnosis (ICD-10)"), required=False),
        "fee_lines": lambda: forms.CharField(
            label=_("Fee lines: item code, quantity, unit price[, level], one per line"),
            widget=forms.Textarea(attrs={"rows": 4}),
        ),
    },
}

"""Forms of the audit pages: they parse and say what is wrong; services decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from medins.models import Role
from screening.audit import widgets
from screening.audit.models import BedCheckTask, Case, DismissalReason, InvestigationStep, Outcome
from screening.audit.rulebook import rule_choices
from screening.audit.selectors.queue import QUEUE, QueueFilters
from screening.models import Flag

BLANK = [("", "—")]


class Form(forms.Form):
    default_renderer = widgets.renderer  # the same markup, drawn without a template per option


class QueueFilterForm(Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    sev_deg = forms.TypedChoiceField(
        label=_("Severity"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            *BLANK,
            (1, _("1 Definite")),
            (2, _("2 Highly suspicious")),
            (3, _("3 Suspicious")),
        ],
    )
    division = forms.CharField(label=_("Division code"), required=False, max_length=12)
    institution = forms.CharField(label=_("Institution code"), required=False, max_length=20)
    level = forms.TypedChoiceField(
        label=_("Hospital level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[*BLANK, (3, _("Level 3")), (2, _("Level 2")), (1, _("Level 1"))],
    )
    practitioner = forms.CharField(label=_("Practitioner code"), required=False, max_length=30)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    amount_min = forms.DecimalField(label=_("Amount from"), required=False, min_value=0)
    amount_max = forms.DecimalField(label=_("Amount to"), required=False, min_value=0)
    q = forms.CharField(
        label=_("Person no., settlement ID or ID number"), required=False, max_length=40
    )
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (QUEUE, _("Open or assigned")),
            *Flag.Status.choices,
            ("", _("Any status")),
        ]
        self.fields["rule"].choices = [*BLANK, *rule_choices()]

    def filters(self) -> QueueFilters:
        if not self.is_valid():
            return QueueFilters(status="__invalid__")
        data = {key: value for key, value in self.cleaned_data.items() if value is not None}
        if "status" not in self.data:
            data["status"] = Flag.Status.OPEN
        return QueueFilters(**data)


class AuditorField(forms.TypedChoiceField):
    """The active auditors and supervisors of a region, read once (a plain list: a model
    choice field would open a server-side cursor on PostgreSQL for every page)."""

    def __init__(self, region_code: str) -> None:
        users = list(
            User.objects.filter(
                profile__role__in=[Role.AUDITOR, Role.SUPERVISOR],
                profile__region_code__startswith=region_code,
                is_active=True,
            ).order_by("username")
        )
        self.users = {user.pk: user for user in users}
        super().__init__(
            label=_("Auditor"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", "—"), *((u.pk, u.get_full_name() or u.get_username()) for u in users)],
        )

    def clean(self, value: object) -> User | None:
        pk = super().clean(value)
        return None if pk is None else self.users[pk]


def auditors_of(region_code: str) -> AuditorField:
    return AuditorField(region_code)


class BulkForm(Form):
    ACTIONS = [
        ("assign", _("Assign")),
        ("dismiss", _("Dismiss")),
        ("open_case", _("Open a case")),
        ("add_to_case", _("Add to case")),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    case = forms.IntegerField(label=_("Case no."), required=False, min_value=1)
    reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[*BLANK, *DismissalReason.choices]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    subject_kind = forms.ChoiceField(
        label=_("Case about"), required=False, choices=Case.Subject.choices
    )

    def __init__(self, *args: object, region_code: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = auditors_of(region_code)


class AssignForm(Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: object, region_code: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = auditors_of(region_code)


class NoteForm(Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProposeForm(Form):
    proposal = forms.ChoiceField(label=_("Proposed decision"), choices=Case.Proposal.choices)
    reason = forms.ChoiceField(
        label=_("Reason for no action"), required=False, choices=[*BLANK, *DismissalReason.choices]
    )
    note = forms.CharField(
        label=_("Grounds"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class StepForm(Form):
    kind = forms.ChoiceField(label=_("Step"), choices=InvestigationStep.Kind.choices)
    description = forms.CharField(
        label=_("What was done"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(Form):
    text = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AttachmentForm(Form):
    file = forms.FileField(label=_("Evidence file"))


class AppealForm(Form):
    text = forms.CharField(
        label=_("Appeal"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class BedCheckIssueForm(Form):
    setl_id = forms.CharField(label=_("Inpatient settlement ID"), max_length=40)
    instructions = forms.CharField(label=_("Instructions"), required=False, max_length=500)


class BedCheckResultForm(Form):
    result = forms.ChoiceField(
        label=_("Result"), choices=BedCheckTask.Result.choices, widget=forms.RadioSelect
    )
    checked_at = forms.DateTimeField(
        label=_("Checked at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class OutcomeForm(Form):
    kind = forms.ChoiceField(label=_("Outcome"), choices=Outcome.Kind.choices)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=0, decimal_places=2
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_to = forms.DateField(
        label=_("To (exclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    practitioner_code = forms.CharField(label=_("Practitioner code"), required=False, max_length=30)
    points = forms.IntegerField(label=_("Points"), required=False, min_value=1, max_value=12)
    authority = forms.ChoiceField(
        label=_("Authority"), required=False, choices=[*BLANK, *Outcome.Authority.choices]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ReportForm(Form):
    institution_code = forms.CharField(label=_("Reported institution code"), max_length=20)
    text = forms.CharField(
        label=_("What was reported"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    reporter_name = forms.CharField(label=_("Reporter's name"), required=False, max_length=50)
    reporter_phone = forms.CharField(label=_("Reporter's phone"), required=False, max_length=20)


class RewardForm(Form):
    status = forms.ChoiceField(label=_("Reward"), choices=[])
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=0, decimal_places=2
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        from screening.audit.models import WhistleblowerReport

        self.fields["status"].choices = WhistleblowerReport.Reward.choices

"""The back office shell: a home page per role, and a clear page for users without one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from medins import selectors
from medins.models import Role
from medins.selectors import AnyUser

# What each role does here, shown on its home page.
DUTIES = {
    Role.ADMIN: _(
        "You administer the whole province: users and their roles, the registry of "
        "designated institutions, the catalog, screening rules and their thresholds."
    ),
    Role.AUDITOR: _(
        "You review the flags raised on settlements in your region, gather the evidence "
        "and propose an outcome for each case."
    ),
    Role.SUPERVISOR: _(
        "You assign flags and cases to the auditors of your region and approve or return "
        "their proposed outcomes."
    ),
    Role.CLERK: _(
        "You serve insured persons at your service station: registration, manual "
        "reimbursement and their questions about settlements."
    ),
    Role.MANAGER: _(
        "You manage the network of designated institutions in your region: agreements, "
        "designations, suspensions and their activity."
    ),
    Role.HOSPITAL_CLIENT: _(
        "Your institution submits its settlements and fee lines here and sees the results "
        "of its import batches and pre-checks."
    ),
}

# The figures each role's page shows, in order, with their labels.
FIGURE_LABELS = {
    "institutions": _("Designated institutions"),
    "pharmacies": _("of which retail pharmacies"),
    "persons": _("Insured persons"),
    "settlements": _("Settlements"),
    "fee_lines": _("Fee lines"),
    "open_flags": _("Open flags"),
    "import_batches": _("Import batches"),
}
FIGURES_BY_ROLE = {
    Role.ADMIN: ("institutions", "persons", "settlements", "fee_lines", "open_flags"),
    Role.AUDITOR: ("institutions", "settlements", "fee_lines", "open_flags"),
    Role.SUPERVISOR: ("institutions", "settlements", "fee_lines", "open_flags"),
    Role.CLERK: ("persons", "institutions", "settlements"),
    Role.MANAGER: ("institutions", "pharmacies", "settlements", "fee_lines"),
    Role.HOSPITAL_CLIENT: ("settlements", "fee_lines", "import_batches"),
}
RECENT = 10  # rows in the recent settlements and batches tables


def _region_label(region_code: str) -> str:
    return f"{region_code} {selectors.division_name(region_code)}".strip()


def _recent_settlements(user: AnyUser) -> list[dict]:
    """The latest settlements as the table shows them: only its columns (a row as nested
    dicts, read as the template read the model instances), not every column of each
    settlement, person and institution."""
    rows = selectors.settlements_visible_to(user).order_by("-settled_at", "pk")[:RECENT]
    return [
        {
            "setl_id": row["setl_id"],
            "settled_at": row["settled_at"],
            "total": row["total"],
            "person": {key: row[f"person__{key}"] for key in ("name", "certno", "psn_no")},
            "institution": {"name": row["institution__name"]},
        }
        for row in rows.values(
            "setl_id",
            "settled_at",
            "total",
            "person__name",
            "person__certno",
            "person__psn_no",
            "institution__name",
        )
    ]


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = selectors.role_of(request.user)
    if role is None:
        return render(request, "medins/no_role.html")
    counts, counted_at = selectors.figures_for(
        request.user, "home", lambda: selectors.home_counts(request.user)
    )
    profile = selectors.profile_of(request.user)
    context = {
        "role": Role(role),
        "profile": profile,
        "region_label": _region_label(profile.region_code if profile else ""),
        "duties": DUTIES[role],
        "figures": [(FIGURE_LABELS[key], counts[key]) for key in FIGURES_BY_ROLE[role]],
        "counted_at": counted_at,
        "may_reveal": selectors.may_reveal(request.user),
        "settlements": _recent_settlements(request.user),
        "batches": selectors.import_batches_visible_to(request.user)[:RECENT],
    }
    return render(request, "medins/home.html", context)

"""Writes of the policy app: settling a claim, recording its counters, versioning policies.

Refund runs (政策性差额退费) live in settlement/policy/refunds.py.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medins.models import Role
from medins.selectors import role_of
from settlement.models import Settlement
from settlement.policy import engine
from settlement.policy.models import (
    ChronicDiseaseQuota,
    DaySurgeryRate,
    NegotiatedDrug,
    PolicyScheme,
    PolicyVersion,
    SettlementUsage,
)
from settlement.policy.selectors import policy_set_of, version_in_force

CHILD_MODELS = (PolicyScheme, ChronicDiseaseQuota, DaySurgeryRate, NegotiatedDrug)


class PolicyEditError(Exception):
    """A policy version cannot be changed this way; the message says why."""


def claim_settle(*, claim: engine.Claim, version: PolicyVersion | None = None) -> engine.Breakdown:
    """Settle claim under the policy in force on its last day; raises engine.PolicyError.

    version: the version in force on that day, when the caller has looked it up already.
    """
    policy = policy_set_of(
        version=version or version_in_force(day=claim.end_date),
        insutype=claim.insutype,
        med_type=claim.med_type,
        institution_level=claim.institution_level,
    )
    return engine.settle(claim, policy)


# No savepoint of its own: inside a caller's transaction a failure here fails the caller too.
@transaction.atomic(savepoint=False)
def settlement_usage_record(*, settlement: Settlement, breakdown: engine.Breakdown) -> None:
    """Store what the settlement adds to the person's year counters; idempotent."""
    SettlementUsage.objects.filter(settlement=settlement).delete()
    SettlementUsage.objects.bulk_create(
        settlement_usages(settlement=settlement, breakdown=breakdown)
    )


def settlement_usages(
    *, settlement: Settlement, breakdown: engine.Breakdown
) -> list[SettlementUsage]:
    """What the settlement adds to the person's year counters, as rows not yet stored."""
    return [
        SettlementUsage(settlement=settlement, key=key, amount=amount)
        for key, amount in breakdown.counters
    ]


@transaction.atomic
def settlement_usage_reverse(*, original: Settlement, reversal: Settlement) -> None:
    """Give the reversal (冲正) the original's counters negated, so year sums net to zero."""
    SettlementUsage.objects.filter(settlement=reversal).delete()
    SettlementUsage.objects.bulk_create(
        SettlementUsage(settlement=reversal, key=usage.key, amount=-usage.amount)
        for usage in original.policy_usages.all()
    )


def _may_edit_policy(user: AbstractBaseUser | None) -> None:
    if user is None or role_of(user) != Role.ADMIN:
        raise PolicyEditError(_("Only administrators may change settlement policy."))


@transaction.atomic
def policy_version_revise(
    *,
    version: PolicyVersion,
    author: AbstractBaseUser,
    code: str,
    title: str,
    effective_from: date,
    effective_to: date | None = None,
    note: str = "",
) -> PolicyVersion:
    """A new draft copying version's rates, for the author to edit and then publish."""
    _may_edit_policy(author)
    if PolicyVersion.objects.filter(code=code).exists():
        raise PolicyEditError(_("Version code %(code)s is already taken.") % {"code": code})
    draft = PolicyVersion.objects.create(
        code=code,
        title=title,
        document=version.document,
        effective_from=effective_from,
        effective_to=effective_to,
        based_on=version,
        dialysis_icd_prefixes=version.dialysis_icd_prefixes,
        dialysis_no_class_b_from=version.dialysis_no_class_b_from,
        note=note,
        created_by=author,
    )
    for model in CHILD_MODELS:
        rows = list(model.objects.filter(version=version))
        for row in rows:
            row.pk = None
            row.version = draft
        model.objects.bulk_create(rows)
    return draft


@transaction.atomic
def policy_version_publish(*, version: PolicyVersion, user: AbstractBaseUser) -> PolicyVersion:
    """Publish a draft: from now on it settles claims in its period and never changes."""
    _may_edit_policy(user)
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise PolicyEditError(_("Version %(code)s is already published.") % {"code": version.code})
    if not version.schemes.exists():
        raise PolicyEditError(
            _("Version %(code)s has no schemes; add them before publishing.")
            % {"code": version.code}
        )
    version.status = PolicyVersion.Status.PUBLISHED
    version.published_by = user
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_by", "published_at"])
    return version

"""The one call from the API into the policy engine: settle a stored, not yet paid settlement.

The encounter is stored first (with its fee lines), then rebuilt as the engine's claim by the
policy app's own `claim_from_settlement`, so the API and a re-settlement read the same facts.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions

from medins.models import CatalogItem
from settlement.models import FeeLine, Settlement, SettlementBreakdown


class PolicyRefused(exceptions.ValidationError):
    """No policy settles this claim (none in force, or the claim does not fit it)."""


def settlement_settle(
    *,
    settlement: Settlement,
    fee_lines: list[FeeLine] | None = None,
    catalog_versions: dict[str, list[CatalogItem]] | None = None,
) -> SettlementBreakdown:
    """Fill the settlement's amounts from the policy in force and record the steps.

    Call inside the caller's transaction; raises PolicyRefused (400), and then the caller's
    transaction stores nothing. fee_lines and catalog_versions: what the caller has just
    stored and read, so that the engine's claim is built without reading them again.
    """
    from settlement.policy import engine
    from settlement.policy.claims import LiveRegistry, claim_from_settlement
    from settlement.policy.selectors import negotiated_drug_codes, version_in_force
    from settlement.policy.services import claim_settle, settlement_usage_record

    try:
        version = version_in_force(day=timezone.localtime(settlement.end_time).date())
        claim = claim_from_settlement(
            settlement,
            negotiated_codes=negotiated_drug_codes(version=version),
            registry=LiveRegistry(catalog_versions=catalog_versions),
            fee_lines=fee_lines,
        )
        breakdown = claim_settle(claim=claim, version=version)
    except engine.PolicyError as error:
        raise PolicyRefused(
            {
                "non_field_errors": [
                    _("The policy cannot settle this claim: %(why)s") % {"why": error}
                ]
            }
        ) from error
    settlement.total = breakdown.medfee_sumamt
    settlement.fully_self_paid = breakdown.fulamt_ownpay_amt
    settlement.in_scope = breakdown.inscp_scp_amt
    settlement.fund_paid = breakdown.hifp_pay
    settlement.account_paid = breakdown.acct_pay
    settlement.cash_paid = breakdown.psn_cash_pay
    settlement.save(update_fields=[*AMOUNT_FIELDS])
    settlement_usage_record(
        settlement=settlement, breakdown=breakdown, just_stored=fee_lines is not None
    )
    return SettlementBreakdown.objects.create(
        settlement=settlement,
        policy_version=breakdown.policy_version,
        amounts={
            "medfee_sumamt": str(breakdown.medfee_sumamt),
            "fulamt_ownpay_amt": str(breakdown.fulamt_ownpay_amt),
            "overlmt_selfpay": str(breakdown.overlmt_selfpay),
            "inscp_scp_amt": str(breakdown.inscp_scp_amt),
            "preselfpay_amt": str(breakdown.preselfpay_amt),
            "act_pay_dedc": str(breakdown.act_pay_dedc),
            "hifp_pay": str(breakdown.hifp_pay),
            "acct_pay": str(breakdown.acct_pay),
            "psn_cash_pay": str(breakdown.psn_cash_pay),
        },
        steps=list(breakdown.steps),
    )


def settlement_reversal_usage(*, original: Settlement, reversal: Settlement) -> None:
    """The reversal takes the original's year counters negated (the policy app's service)."""
    from settlement.policy.services import settlement_usage_reverse

    settlement_usage_reverse(original=original, reversal=reversal)


AMOUNT_FIELDS = ("total", "fully_self_paid", "in_scope", "fund_paid", "account_paid", "cash_paid")

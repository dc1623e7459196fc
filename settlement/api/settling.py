"""The one call from the API into the policy engine: settle a submitted encounter.

The settlement and its fee lines, as they are about to be stored, are made the engine's claim
by the policy app's own `claim_from_settlement`, so the API and a re-settlement read the same
facts; the settlement is then stored once, with its amounts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions

from medins.models import CatalogItem
from settlement.models import FeeLine, Settlement, SettlementBreakdown
from settlement.policy import engine

if TYPE_CHECKING:
    from settlement.policy.models import SettlementUsage


class PolicyRefused(exceptions.ValidationError):
    """No policy settles this claim (none in force, or the claim does not fit it)."""


def settlement_settle(
    *,
    settlement: Settlement,
    fee_lines: list[FeeLine],
    catalog_versions: dict[str, list[CatalogItem]] | None = None,
) -> engine.Breakdown:
    """Fill the (not yet stored) settlement's amounts from the policy in force.

    Raises PolicyRefused (400). fee_lines: the lines about to be stored with it;
    catalog_versions: what the caller has just read of the catalog, so that the engine's
    claim is built without reading it again. The caller then stores the settlement, its
    lines and settlement_breakdown_rows' rows in one transaction.
    """
    from settlement.policy.claims import LiveRegistry, claim_from_settlement
    from settlement.policy.selectors import negotiated_drug_codes, version_in_force
    from settlement.policy.services import claim_settle

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
    return breakdown


def settlement_breakdown_rows(
    *, settlement: Settlement, breakdown: engine.Breakdown
) -> tuple[SettlementBreakdown, list[SettlementUsage]]:
    """The steps of a settlement and what it adds to the year counters, as rows for the
    caller to store with it."""
    from settlement.policy.services import settlement_usages

    amounts = {
        "medfee_sumamt": breakdown.medfee_sumamt,
        "fulamt_ownpay_amt": breakdown.fulamt_ownpay_amt,
        "overlmt_selfpay": breakdown.overlmt_selfpay,
        "inscp_scp_amt": breakdown.inscp_scp_amt,
        "preselfpay_amt": breakdown.preselfpay_amt,
        "act_pay_dedc": breakdown.act_pay_dedc,
        "hifp_pay": breakdown.hifp_pay,
        "acct_pay": breakdown.acct_pay,
        "psn_cash_pay": breakdown.psn_cash_pay,
    }
    row = SettlementBreakdown(
        settlement=settlement,
        policy_version=breakdown.policy_version,
        amounts={name: str(amount) for name, amount in amounts.items()},
        steps=list(breakdown.steps),
    )
    return row, settlement_usages(settlement=settlement, breakdown=breakdown)


def settlement_reversal_usage(*, original: Settlement, reversal: Settlement) -> None:
    """The reversal takes the original's year counters negated (the policy app's service)."""
    from settlement.policy.services import settlement_usage_reverse

    settlement_usage_reverse(original=original, reversal=reversal)

"""Rebuild an engine Claim from a stored settlement, its fee lines and the registry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from medins.models import CatalogItem
from services.selectors import chronic_certifications_in_force, cross_region_filing_in_force
from settlement.models import Settlement
from settlement.policy import engine

# 急诊, 急诊转住院 and Shandong's local 急诊住院 code: emergencies count as filed cross-region.
EMERGENCY_MED_TYPES = ("13", "24", "210104")
# A division code's first four digits name the city (统筹区); another city is 异地.
CITY_DIGITS = 4


def _catalog_by_code(codes: set[str], day: date) -> dict[str, CatalogItem]:
    items = CatalogItem.objects.filter(code__in=codes, effective_from__lte=day).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=day)
    )
    return {item.code: item for item in items}


def claim_from_settlement(
    settlement: Settlement,
    *,
    negotiated_codes: frozenset[str] = frozenset(),
    year_to_date: engine.YearToDate | None = None,
) -> engine.Claim:
    """The claim this settlement settled, as the engine takes it.

    Levels come from the institution's grade (pharmacies and ungraded ones: level 1). Price
    caps and list types come from the catalog version in force on the encounter's first day;
    a line's own charge level wins over the catalog's. Negotiated drugs (codes given by the
    caller, from the policy version) outside inpatient care count as bought through the dual
    channel. Chronic certifications and cross-region filings are those valid on the first day.
    The stored personal-account payment stands in for the account balance. year_to_date
    defaults to the person's stored settlements of the year that ended before this one.
    """
    from settlement.policy.selectors import year_to_date as stored_year_to_date

    begin = timezone.localtime(settlement.begin_time).date()
    end = timezone.localtime(settlement.end_time).date()
    person = settlement.person
    institution = settlement.institution
    # .all() so that a caller's prefetch_related("fee_lines") saves the query.
    fee_lines = sorted(settlement.fee_lines.all(), key=lambda fee: fee.line_id)
    catalog = _catalog_by_code({line.item_code for line in fee_lines}, begin)
    inpatient = settlement.is_inpatient
    lines = []
    for fee in fee_lines:
        item = catalog.get(fee.item_code)
        negotiated = fee.item_code in negotiated_codes
        lines.append(
            engine.ClaimLine(
                hilist_code=fee.item_code,
                list_type=item.list_type if item else "",
                chrgitm_lv=fee.charge_level or (item.charge_level if item else ""),
                det_item_fee_sumamt=fee.amount,
                pric_uplmt_amt=item.price_cap if item else None,
                qty=Decimal(fee.quantity),
                negotiated_drug=negotiated,
                dual_channel=negotiated and not inpatient,
                feedetl_sn=fee.line_id,
            )
        )
    if year_to_date is None:
        year_to_date = stored_year_to_date(
            psn_no=person.psn_no,
            year=end.year,
            insutype=settlement.insurance_type,
            before=settlement.end_time,
            exclude_setl_ids=(settlement.setl_id,),
        )
    cross_region = person.division_code[:CITY_DIGITS] != institution.division_code[:CITY_DIGITS]
    return engine.Claim(
        insutype=settlement.insurance_type,
        med_type=settlement.medical_type,
        institution_level=institution.level or 1,
        begin_date=begin,
        end_date=end,
        lines=tuple(lines),
        disease_code=settlement.main_diagnosis,
        certified_diseases=chronic_certifications_in_force(psn_no=person.psn_no, day=begin),
        cross_region=cross_region,
        filed=cross_region and cross_region_filing_in_force(psn_no=person.psn_no, day=begin),
        emergency=settlement.medical_type in EMERGENCY_MED_TYPES,
        year_to_date=year_to_date,
        account_balance=settlement.account_paid,
    )

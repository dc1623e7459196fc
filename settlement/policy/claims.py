"""Rebuild an engine Claim from a stored settlement, its fee lines and the registry."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from medins.models import CatalogItem
from services.models import ChronicCertification, CrossRegionFiling
from services.selectors import chronic_certifications_in_force, cross_region_filing_in_force
from settlement.models import Settlement
from settlement.policy import engine

# 急诊, 急诊转住院 and Shandong's local 急诊住院 code: emergencies count as filed cross-region.
EMERGENCY_MED_TYPES = ("13", "24", "210104")
# A division code's first four digits name the city (统筹区); another city is 异地.
CITY_DIGITS = 4


def _in_force(start: date, end: date | None, day: date) -> bool:
    return start <= day and (end is None or day < end)


class RegistrySnapshot:
    """Catalog versions, certifications and filings read once for many settlements.

    Without one, claim_from_settlement asks the database for each settlement.
    """

    def __init__(self, *, psn_nos: list[str], item_codes: set[str]) -> None:
        self._catalog: dict[str, list[CatalogItem]] = defaultdict(list)
        for item in CatalogItem.objects.filter(code__in=item_codes):
            self._catalog[item.code].append(item)
        self._certifications: dict[str, list] = defaultdict(list)
        rows = ChronicCertification.objects.filter(person_id__in=psn_nos).values_list(
            "person_id", "disease_code", "valid_from", "valid_to"
        )
        for psn_no, code, start, end in rows:
            self._certifications[psn_no].append((code, start, end))
        self._filings: dict[str, list] = defaultdict(list)
        rows = CrossRegionFiling.objects.filter(person_id__in=psn_nos).values_list(
            "person_id", "valid_from", "valid_to"
        )
        for psn_no, start, end in rows:
            self._filings[psn_no].append((start, end))

    def catalog(self, codes: set[str], day: date) -> dict[str, CatalogItem]:
        return {
            item.code: item
            for code in codes
            for item in self._catalog.get(code, ())
            if _in_force(item.effective_from, item.effective_to, day)
        }

    def certified(self, psn_no: str, day: date) -> frozenset[str]:
        return frozenset(
            code
            for code, start, end in self._certifications.get(psn_no, ())
            if _in_force(start, end, day)
        )

    def filed(self, psn_no: str, day: date) -> bool:
        return any(_in_force(start, end, day) for start, end in self._filings.get(psn_no, ()))


class LiveRegistry:
    """The same questions as RegistrySnapshot, asked of the database one settlement at a time.

    catalog_versions: every version of the items concerned, when the caller has read them
    already (the API, checking a submission); the catalog question is then not asked again.
    """

    def __init__(self, *, catalog_versions: dict[str, list[CatalogItem]] | None = None) -> None:
        self._versions = catalog_versions

    def catalog(self, codes: set[str], day: date) -> dict[str, CatalogItem]:
        if self._versions is not None:
            return {
                item.code: item
                for code in codes
                for item in self._versions.get(code, ())
                if _in_force(item.effective_from, item.effective_to, day)
            }
        items = CatalogItem.objects.filter(code__in=codes, effective_from__lte=day).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gt=day)
        )
        return {item.code: item for item in items}

    def certified(self, psn_no: str, day: date) -> frozenset[str]:
        return chronic_certifications_in_force(psn_no=psn_no, day=day)

    def filed(self, psn_no: str, day: date) -> bool:
        return cross_region_filing_in_force(psn_no=psn_no, day=day)


def claim_from_settlement(
    settlement: Settlement,
    *,
    negotiated_codes: frozenset[str] = frozenset(),
    year_to_date: engine.YearToDate | None = None,
    registry: RegistrySnapshot | LiveRegistry | None = None,
    fee_lines: list | None = None,
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
    # .all() so that a caller's prefetch_related("fee_lines") saves the query; a caller that
    # has just stored the lines passes them.
    stored = settlement.fee_lines.all() if fee_lines is None else fee_lines
    fee_lines = sorted(stored, key=lambda fee: fee.line_id)
    registry = registry or LiveRegistry()
    catalog = registry.catalog({line.item_code for line in fee_lines}, begin)
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
        day_surgery_code=settlement.procedure_code,
        radiotherapy_course=settlement.radiotherapy_course,
        certified_diseases=registry.certified(person.psn_no, begin),
        cross_region=cross_region,
        filed=cross_region and registry.filed(person.psn_no, begin),
        emergency=settlement.medical_type in EMERGENCY_MED_TYPES,
        year_to_date=year_to_date,
        account_balance=settlement.account_paid,
    )

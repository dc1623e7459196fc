"""Writes of the settlement API: settle a submitted encounter (idempotently), reverse one.

Everything a request stores is written in one transaction: a bad request stores nothing.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medins import interchange
from medins.compiled import CompiledValues, field_names, instance
from medins.inserts import insert_row, insert_together
from medins.models import CatalogItem, Institution, Person
from settlement import selectors
from settlement.api.bodies import model_row
from settlement.api.exceptions import Conflict, FieldErrors
from settlement.api.settling import (
    settlement_breakdown_rows,
    settlement_reversal_usage,
    settlement_settle,
)
from settlement.models import (
    ApiCredential,
    Diagnosis,
    FeeLine,
    IdempotencyRecord,
    Settlement,
    SettlementBreakdown,
    SettlementReversal,
)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Settled:
    settlement: Settlement
    replayed: bool  # True: the Idempotency-Key had been seen; this is the first result
    written: Written | None = None  # what this request stored (None for a replay)


class Written:
    """A settlement this request stored, as the response shows it, without reading it back.

    Reads like the settlement with its rows (settlement_for_institution): diagnoses by rank,
    fee lines by number, the breakdown, and no reversal either way (it is new).
    """

    reversal = None
    reverses = None

    def __init__(
        self,
        settlement: Settlement,
        diagnoses: list[Diagnosis],
        fee_lines: list[FeeLine],
        breakdown: SettlementBreakdown,
    ) -> None:
        self._settlement = settlement
        self.diagnoses = sorted(diagnoses, key=lambda diagnosis: diagnosis.rank)
        self.fee_lines = sorted(fee_lines, key=lambda line: line.line_id)
        self.breakdown = breakdown

    def __getattr__(self, name: str) -> Any:
        return getattr(self._settlement, name)

    def row(self) -> dict[str, Any]:
        """As settlement_row_for_institution reads it back (settlement.api.bodies writes it)."""
        breakdown = self.breakdown
        return {
            **model_row(self._settlement),
            "reversal__reversing": None,
            "reverses__original": None,
            "breakdown__id": breakdown.pk,
            "breakdown__policy_version": breakdown.policy_version,
            "breakdown__amounts": breakdown.amounts,
            "breakdown__steps": breakdown.steps,
            "diagnoses": [model_row(diagnosis) for diagnosis in self.diagnoses],
            "fee_lines": [model_row(line) for line in self.fee_lines],
        }


def request_fingerprint(payload: Any) -> str:
    """SHA-256 of the request body as parsed, key order ignored."""
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def new_id(prefix: str, at: datetime) -> str:
    """A settlement-style ID: prefix, the Shanghai time to the second, 16 random hex digits."""
    return f"{prefix}{timezone.localtime(at):%Y%m%d%H%M%S}{secrets.token_hex(8)}"


def encounter_settle(
    *,
    institution: Institution,
    encounter: dict[str, Any],
    fingerprint: str,
    idempotency_key: str | None,
    at: datetime,
) -> Settled:
    """Settle one encounter under the policy in force; a repeated key returns the first result.

    Raises FieldErrors (400) for input the database refutes, Conflict (409) when the encounter
    is already settled or the key was used for a different request.
    """
    with transaction.atomic():
        setl_id = new_id("S", at)
        if idempotency_key:
            first = _idempotency_claim(institution, idempotency_key, fingerprint, setl_id)
            if first is not None:
                return Settled(settlement=first, replayed=True)
        person, catalog = _checked_references(institution, encounter)
        written = _store(institution, encounter, person, catalog, setl_id, at)
    return Settled(settlement=written._settlement, replayed=False, written=written)


def _idempotency_claim(
    institution: Institution, key: str, fingerprint: str, setl_id: str
) -> Settlement | None:
    """None when the key is this request's now: its record names setl_id, the settlement the
    request goes on to store (the foreign key is checked at commit); else the first request's
    settlement, when the key was used for the same request.

    Two requests with one key at once: the second INSERT waits on the unique index until the
    first commits, then does nothing, and the second reads the first's result (row-locked).
    """
    if _idempotency_record_add(institution, key, fingerprint, setl_id):
        return None
    record = IdempotencyRecord.objects.select_for_update().get(institution=institution, key=key)
    if record.request_hash != fingerprint:
        raise Conflict(
            _("Idempotency-Key %(key)s was already used for a different request.") % {"key": key}
        )
    if record.settlement_id is None:  # only possible if a writer died mid-way
        raise Conflict(_("A request with this Idempotency-Key is still being processed."))
    return record.settlement


def _idempotency_record_add(
    institution: Institution, key: str, fingerprint: str, setl_id: str
) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True if it inserted. Without the conflict's error
    there is no savepoint to make for it (three statements)."""
    values = {
        "institution": institution.pk,
        "key": key,
        "request_hash": fingerprint,
        "settlement": setl_id,
        "created_at": timezone.now(),
    }
    return insert_row(IdempotencyRecord, values, on_conflict=("institution", "key"))


def _checked_references(
    institution: Institution, encounter: dict[str, Any]
) -> tuple[Person, dict[str, list[CatalogItem]]]:
    errors: dict[str, Any] = {}
    person = selectors.person_by_number(encounter["psn_no"])
    if person is None:
        errors["psn_no"] = [_("No insured person %(psn_no)s.") % {"psn_no": encounter["psn_no"]}]
    mdtrt_id = encounter["mdtrt_id"]
    if selectors.encounter_settled(mdtrt_id):
        raise Conflict(_("Encounter %(mdtrt_id)s is already settled.") % {"mdtrt_id": mdtrt_id})
    lines = encounter["fee_details"]
    catalog = catalog_versions({line["med_list_codg"] for line in lines})
    stored = _stored_line_ids([line["feedetl_sn"] for line in lines])
    line_errors: list[dict[str, list[str]]] = []
    for line in lines:
        problems: dict[str, list[str]] = {}
        if line["feedetl_sn"] in stored:
            problems["feedetl_sn"] = [_("This fee line number is already stored.")]
        day = timezone.localtime(line["fee_ocur_time"]).date()
        if version_on(catalog.get(line["med_list_codg"], []), day) is None:
            problems["med_list_codg"] = [
                _("Not in the catalog on %(day)s.") % {"day": day.isoformat()}
            ]
        line_errors.append(problems)
    if any(line_errors):
        errors["fee_details"] = line_errors
    if errors:
        raise FieldErrors(errors)
    return person, catalog


def _stored_line_ids(line_ids: list[str]) -> set[str]:
    return {row["line_id"] for row in _STORED_LINES.rows(line_ids=line_ids)}


def catalog_versions(codes: set[str]) -> dict[str, list[CatalogItem]]:
    """Every stored version of the catalog items with these codes, by code."""
    versions: dict[str, list[CatalogItem]] = {}
    for row in _CATALOG_VERSIONS.rows(codes=sorted(codes)):
        item = instance(CatalogItem, row)
        versions.setdefault(item.code, []).append(item)
    return versions


# On every submission: queries compiled once (medins.compiled), the lists one parameter.
_STORED_LINES = CompiledValues(
    lambda line_ids: FeeLine.objects.filter(line_id__any=line_ids).values("line_id"),
    "line_ids",
    lists=("line_ids",),
)
_CATALOG_VERSIONS = CompiledValues(
    lambda codes: CatalogItem.objects.filter(code__any=codes).values(*field_names(CatalogItem)),
    "codes",
    lists=("codes",),
)


def version_on(versions: list[CatalogItem], day: date) -> CatalogItem | None:
    for item in versions:
        if item.effective_from <= day and (item.effective_to is None or day < item.effective_to):
            return item
    return None


def _store(
    institution: Institution,
    encounter: dict[str, Any],
    person: Person,
    catalog: dict[str, list[CatalogItem]],
    setl_id: str,
    at: datetime,
) -> Written:
    fields = _model_fields(interchange.SETTLEMENTS, encounter)
    total = sum((line["det_item_fee_sumamt"] for line in encounter["fee_details"]), ZERO)
    settlement = Settlement(
        setl_id=setl_id,
        person=person,
        institution=institution,
        settled_at=at,
        is_reversal=False,
        total=total,
        fully_self_paid=ZERO,
        in_scope=ZERO,
        fund_paid=ZERO,
        account_paid=ZERO,
        cash_paid=total,
        **fields,
    )
    lines = [_fee_line(settlement, line, catalog) for line in encounter["fee_details"]]
    # The policy engine fills the split from the rows about to be stored; then they are stored.
    breakdown = settlement_settle(settlement=settlement, fee_lines=lines, catalog_versions=catalog)
    diagnoses = [
        Diagnosis(settlement=settlement, rank=item["diag_srt_no"], code=item["diag_code"])
        for item in _diagnoses(encounter)
    ]
    stored, usages = settlement_breakdown_rows(settlement=settlement, breakdown=breakdown)
    try:
        # No savepoint: on a clash the whole request's transaction is rolled back anyway.
        with transaction.atomic(savepoint=False):
            insert_together([settlement], diagnoses, lines, [stored], usages)
    except IntegrityError as error:
        # Another request stored the same encounter or lines since they were checked above.
        clash = _clash(error)
        if clash is None:
            raise
        raise Conflict(clash % {"mdtrt_id": encounter["mdtrt_id"]}) from error
    return Written(settlement, diagnoses, lines, stored)


def _clash(error: IntegrityError) -> str | None:
    """What a unique key that refused the rows says, if it is the encounter's or a fee line's:
    PostgreSQL names the key (the one statement's parts run in no set order), SQLite the
    column."""
    text = str(error)
    if "Key (encounter_id" in text or "_settlement.encounter_id" in text:
        return _("Encounter %(mdtrt_id)s is already settled.")
    if "Key (line_id)" in text or "settlement_feeline.line_id" in text:
        return _("A fee line of encounter %(mdtrt_id)s was stored by another request.")
    return None


def _fee_line(
    settlement: Settlement, line: dict[str, Any], catalog: dict[str, list[CatalogItem]]
) -> FeeLine:
    fields = _model_fields(interchange.FEE_DETAILS, line)
    if not fields.get("charge_level"):  # the catalog's level when the line gives none
        day = timezone.localtime(line["fee_ocur_time"]).date()
        fields["charge_level"] = version_on(catalog[line["med_list_codg"]], day).charge_level
    return FeeLine(
        settlement=settlement,
        encounter_id=settlement.encounter_id,
        person=settlement.person,
        institution=settlement.institution,
        **fields,
    )


def _diagnoses(encounter: dict[str, Any]) -> list[dict[str, Any]]:
    """The diagnoses sent; the main diagnosis (dise_codg) is rank 1 when none is."""
    diagnoses = list(encounter.get("diagnoses") or [])
    main = encounter.get("dise_codg")
    if main and all(item["diag_srt_no"] != 1 for item in diagnoses):
        diagnoses.insert(0, {"diag_srt_no": 1, "diag_code": main})
    return diagnoses


_FOREIGN_KEYS = ("person_id", "institution_id", "settlement_id", "setl_id")


def _model_fields(spec: interchange.FileSpec, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload's national fields as model fields, through the one mapping."""
    fields = {}
    for column in spec.columns:
        if column.national not in payload or column.field in _FOREIGN_KEYS:
            continue
        value = payload[column.national]
        fields[column.field] = value if value is not None or column.kind != "str" else ""
    return fields


def settlement_reverse(
    *,
    institution: Institution,
    setl_id: str,
    credential: ApiCredential | None,
    reason: str,
    at: datetime,
) -> Settlement:
    """冲正: a negative settlement (and negative fee lines) cancelling the original in full.

    Raises Settlement.DoesNotExist outside the institution; Conflict when already reversed or
    when the settlement is itself a reversal.
    """
    with transaction.atomic():
        original = Settlement.objects.select_for_update().get(
            setl_id=setl_id, institution=institution
        )
        if original.is_reversal:
            raise Conflict(_("Settlement %(setl_id)s is a reversal.") % {"setl_id": setl_id})
        done = SettlementReversal.objects.filter(original=original).first()
        if done is not None:
            raise Conflict(
                _("Settlement %(setl_id)s was already reversed by %(by)s.")
                % {"setl_id": setl_id, "by": done.reversing_id}
            )
        reversing = _negated(original, at)
        settlement_reversal_usage(original=original, reversal=reversing)
        SettlementReversal.objects.create(
            original=original,
            reversing=reversing,
            reason=reason,
            reversed_at=at,
            credential=credential,
        )
    return reversing


_AMOUNTS = ("total", "fully_self_paid", "in_scope", "fund_paid", "account_paid", "cash_paid")


def _negated(original: Settlement, at: datetime) -> Settlement:
    setl_id = new_id("R", at)
    reversing = Settlement.objects.create(
        setl_id=setl_id,
        encounter_id=setl_id,
        person_id=original.person_id,
        institution_id=original.institution_id,
        insurance_type=original.insurance_type,
        medical_type=original.medical_type,
        begin_time=original.begin_time,
        end_time=original.end_time,
        main_diagnosis=original.main_diagnosis,
        department_code=original.department_code,
        attending_code=original.attending_code,
        settled_at=at,
        is_reversal=True,
        **{name: -getattr(original, name) for name in _AMOUNTS},
    )
    # Refund lines at the charges' own times: screening nets them out per person, item, day.
    FeeLine.objects.bulk_create(
        FeeLine(
            line_id=f"{setl_id}-{number:04d}",
            settlement=reversing,
            encounter_id=setl_id,
            person_id=line.person_id,
            institution_id=line.institution_id,
            occurred_at=line.occurred_at,
            item_code=line.item_code,
            institution_item_code=line.institution_item_code,
            charge_type=line.charge_type,
            quantity=-line.quantity,
            unit_price=line.unit_price,
            amount=-line.amount,
            supply_days=line.supply_days,
            department_code=line.department_code,
            practitioner_code=line.practitioner_code,
            charge_level=line.charge_level,
        )
        for number, line in enumerate(original.fee_lines.order_by("line_id"), start=1)
    )
    return reversing

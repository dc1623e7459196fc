"""Reads of the settlement app: import records and the rows an export writes."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from medins.compiled import CompiledList, CompiledValues, counted, field_names, instance
from medins.interchange import FileSpec
from medins.models import Institution, Person
from settlement.models import (
    Diagnosis,
    FeeLine,
    ImportBatch,
    PrecheckRecord,
    PrecheckViolation,
    Settlement,
)

# How an export for one institution reaches each file's rows from that institution's code.
_INSTITUTION_PATHS = {
    "institutions": "code",
    "practitioners": "institution_id",
    "settlements": "institution_id",
    "diagnoses": "settlement__institution_id",
    "fee_details": "institution_id",
    "bed_checks": "settlement__institution_id",
}


def import_batch_get(*, import_batch_id: int) -> ImportBatch:
    """The import record; raises ImportBatch.DoesNotExist."""
    return ImportBatch.objects.select_related("institution").get(pk=import_batch_id)


def export_rows(spec: FileSpec, *, institution_code: str | None = None) -> QuerySet:
    """The stored rows of one file as tuples of its fields in column order, by key.

    The catalog gives its current versions. For one institution: its own rows, the persons it
    treated, and the shared registries (divisions, catalog) whole.
    """
    model = apps.get_model(spec.model)
    rows = model.objects.all()
    if spec.name == "catalog":
        rows = rows.filter(effective_to__isnull=True)
    if institution_code and spec.name in _INSTITUTION_PATHS:
        rows = rows.filter(**{_INSTITUTION_PATHS[spec.name]: institution_code})
    if institution_code and spec.name == "persons":
        treated = Settlement.objects.filter(person=OuterRef("pk"), institution_id=institution_code)
        rows = rows.filter(Exists(treated))
    key_fields = [spec.column(name).field for name in spec.key]
    fields = [column.field for column in spec.columns]
    return rows.order_by(*key_fields).values_list(*fields)


# --- The REST API: everything an institution's credential reads is scoped to it. ---


def settlements_for_institution(*, institution: Institution) -> QuerySet[Settlement]:
    """The institution's settlements, newest first, with their reversal links.

    Not their breakdowns: a list does not show them, and each is a JSON document of steps.
    """
    return (
        Settlement.objects.filter(institution=institution)
        .select_related("reversal", "reverses")
        .order_by("-settled_at", "setl_id")
    )


def settlement_for_institution(*, institution: Institution, setl_id: str) -> Settlement:
    """One settlement whole; raises Settlement.DoesNotExist outside the institution."""
    return (
        settlements_for_institution(institution=institution)
        .select_related("breakdown")
        .prefetch_related(
            Prefetch("diagnoses", queryset=Diagnosis.objects.order_by("rank")),
            Prefetch("fee_lines", queryset=FeeLine.objects.order_by("line_id")),
        )
        .get(setl_id=setl_id)
    )


# What a settlement's row carries beside its own fields: its reversal links and (one
# settlement whole) its breakdown's fields, under these keys.
SETTLEMENT_LINKS = ("reversal__reversing", "reverses__original")
SETTLEMENT_BREAKDOWN = (
    "breakdown__id",
    "breakdown__policy_version",
    "breakdown__amounts",
    "breakdown__steps",
)


def settlement_values(settlements: QuerySet[Settlement]) -> QuerySet:
    """The settlements as rows (.values()), for a list that needs no model instances: each
    one's fields by attname and its reversal links (SETTLEMENT_LINKS)."""
    return settlements.values(*field_names(Settlement), *SETTLEMENT_LINKS)


def settlement_list_for_institution(*, institution: Institution, page_size: int) -> CompiledList:
    """settlement_values(settlements_for_institution(...)) for a paginator, by compiled
    queries (medins.compiled): the page's rows, and the count when it asks for it."""
    return CompiledList(
        _SETTLEMENT_LIST, _SETTLEMENT_COUNT, page_size=page_size, institution=institution.pk
    )


_SETTLEMENT_LIST = CompiledValues(
    lambda institution: settlement_values(settlements_for_institution(institution=institution)),
    "institution",
)
_SETTLEMENT_COUNT = CompiledValues(
    lambda institution: counted(settlements_for_institution(institution=institution)),
    "institution",
)


def settlement_row_for_institution(*, institution: Institution, setl_id: str) -> dict[str, Any]:
    """settlement_for_institution as plain rows: the settlement's fields by attname, its links
    and its breakdown's fields (SETTLEMENT_LINKS, SETTLEMENT_BREAKDOWN), its diagnoses by rank
    under "diagnoses" and its fee lines by number under "fee_lines"; three queries, compiled
    once (medins.compiled). Raises Settlement.DoesNotExist outside the institution."""
    found = _SETTLEMENT_ROW.rows(institution=institution.pk, setl_id=setl_id)
    if not found:
        raise Settlement.DoesNotExist(f"No settlement {setl_id} of {institution.pk}.")
    [row] = found  # setl_id is the key
    row["diagnoses"] = _DIAGNOSIS_ROWS.rows(encounter_id=row["encounter_id"])
    row["fee_lines"] = _FEE_LINE_ROWS.rows(setl_id=setl_id)
    return row


_SETTLEMENT_ROW = CompiledValues(
    lambda institution, setl_id: Settlement.objects.filter(
        institution_id=institution, setl_id=setl_id
    ).values(*field_names(Settlement), *SETTLEMENT_LINKS, *SETTLEMENT_BREAKDOWN),
    "institution",
    "setl_id",
)
_DIAGNOSIS_ROWS = CompiledValues(
    lambda encounter_id: (
        Diagnosis.objects.filter(settlement_id=encounter_id)
        .order_by("rank")
        .values(*field_names(Diagnosis))
    ),
    "encounter_id",
)
_FEE_LINE_ROWS = CompiledValues(
    lambda setl_id: (
        FeeLine.objects.filter(settlement_id=setl_id)
        .order_by("line_id")
        .values(*field_names(FeeLine))
    ),
    "setl_id",
)


def person_by_number(psn_no: str) -> Person | None:
    """The insured person, or None; by a query compiled once (medins.compiled)."""
    found = _PERSON.rows(window=(0, 1), psn_no=psn_no)
    if not found:
        return None
    return instance(Person, found[0])


def encounter_settled(mdtrt_id: str) -> bool:
    """Whether a settlement of this encounter is stored; by a query compiled once."""
    return bool(_ENCOUNTER_SETTLED.rows(window=(0, 1), encounter_id=mdtrt_id))


_PERSON = CompiledValues(
    lambda psn_no: Person.objects.filter(psn_no=psn_no).order_by("pk").values(*field_names(Person)),
    "psn_no",
)
_ENCOUNTER_SETTLED = CompiledValues(
    lambda encounter_id: (
        Settlement.objects.filter(encounter_id=encounter_id).order_by().values("setl_id")
    ),
    "encounter_id",
)


def import_batch_for_institution(*, institution: Institution, import_batch_id: int) -> ImportBatch:
    """An import the institution submitted; raises ImportBatch.DoesNotExist otherwise."""
    return ImportBatch.objects.get(pk=import_batch_id, institution=institution)


def precheck_for_institution(*, institution: Institution, task_id: str) -> PrecheckRecord:
    """A pre-check with its violations and answers; raises PrecheckRecord.DoesNotExist."""
    return PrecheckRecord.objects.prefetch_related(
        Prefetch(
            "violations",
            queryset=PrecheckViolation.objects.select_related("answer").order_by("jr_id"),
        )
    ).get(task_id=task_id, institution=institution)


def precheck_violations_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet:
    """Pre-check warnings and the hospitals' 3103 answers, for auditors in their region."""
    from medins.selectors import institutions_visible_to

    return (
        PrecheckViolation.objects.filter(precheck__institution__in=institutions_visible_to(user))
        .select_related("precheck", "precheck__institution", "answer")
        .order_by("-precheck__checked_at", "jr_id")
    )

"""Real-time pre-check (事前/事中, 3101/3102): one unsettled encounter against the rule base.

One implementation, not two: the claim and the person's stored history become the same frames
batch screening reads (screening/frames.py), and the same rule modules run over them through
the same engine with the thresholds in force (screening.services.config). Only findings about
this claim are answered: its fee lines, its settlement, or a pair it belongs to.
"""

from __future__ import annotations

import functools
import json
import time as clock
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from medins.inserts import insert_together
from medins.models import Institution, Person
from screening.frames import SCHEMAS
from screening.prepared import PreparedRules
from screening.rules import (
    diag_mismatch,
    dup_charge,
    dup_exam,
    excess_quantity,
    exclusive_items,
    over_price,
    over_scope_drug,
    overlapping_stays,
    split_admission,
)
from screening.services.config import rule_config_in_force_recent
from screening.sources import conform, select_sql
from settlement import selectors
from settlement.api.encounters import new_id
from settlement.api.exceptions import Conflict, FieldErrors
from settlement.api.precheck_batch import Combiner
from settlement.models import PrecheckRecord, PrecheckViolation, Settlement

PRECHECK_RULES = (
    dup_charge,
    dup_exam,
    exclusive_items,
    over_price,
    over_scope_drug,
    excess_quantity,
    split_admission,
    overlapping_stays,
    diag_mismatch,
)
LOOKBACK_DAYS = max(module.RULE.lookback_days for module in PRECHECK_RULES)
# The later of two stays is flagged; a stay that began up to this long before the claim's end
# can pair with it (OVERLAPPING_STAYS looks back 60 days, SPLIT_ADMISSION 15).
VIOLATION_LINE, CONTEXT_LINE = "1", "2"  # vola_item_type: 违规项, 涉及项
UTC = ZoneInfo("UTC")
BATCH_LIMIT = 32  # claims checked together at most, when that many wait at once


CENT = Decimal("0.01")


@dataclass(frozen=True)
class Precheck:
    record: PrecheckRecord
    violations: list[dict[str, Any]]  # the 3101/3102 result records
    timings: dict[str, float]

    def response(self) -> dict[str, Any]:
        """PrecheckOutputSerializer's representation of the answer, made directly: the
        violations are in its shape already, and money is written as its DecimalField
        writes it (tests/api/test_precheck.py compares the two)."""
        return {
            "task_id": self.record.task_id,
            "mdtrt_id": self.record.encounter_id,
            "result": [
                {
                    **violation,
                    "vola_amt": _money_text(violation["vola_amt"]),
                    "judge_result_detail_dtos": [
                        {**line, "vola_amt": _money_text(line["vola_amt"])}
                        for line in violation["judge_result_detail_dtos"]
                    ],
                }
                for violation in self.violations
            ],
        }


def _money_text(amount: Decimal) -> str:
    return f"{amount.quantize(CENT):f}"


@dataclass(frozen=True)
class ClaimJob:
    """One claim ready for the rules: its rows, the person's history rows, what to run with."""

    task_id: str
    psn_no: str
    first_day: date
    last_day: date  # also the day whose catalog version is in force
    at: datetime  # when it is checked: the rule configuration in force then applies
    person: dict[str, Any]
    institution: dict[str, Any]
    claim: dict[str, list[dict[str, Any]]]  # settlements, diagnoses, fee_lines rows
    history: dict[str, tuple[list[str], list[tuple]]]  # fee_lines, settlements: names, rows
    codes: frozenset[str]


@dataclass(frozen=True)
class Claim:
    """One pre-check request as it was sent, its rows built: nothing looked up yet."""

    task_id: str
    institution: Institution
    encounter: dict[str, Any]
    raw: dict[str, Any]
    at: datetime
    rows: dict[str, list[dict[str, Any]]]  # claim_rows
    first_day: date
    last_day: date  # also the day whose catalog version is in force

    @classmethod
    def of(
        cls,
        institution: Institution,
        encounter: dict[str, Any],
        raw: dict[str, Any],
        at: datetime,
        task_id: str | None = None,
    ) -> Claim:
        task_id = task_id or new_id("T", at)
        rows = claim_rows(task_id, institution, encounter)
        first_day, last_day = _claim_days(rows["fee_lines"], encounter)
        return cls(task_id, institution, encounter, raw, at, rows, first_day, last_day)


def precheck_run(
    *,
    institution: Institution,
    encounter: dict[str, Any],
    raw: dict[str, Any],
    at: datetime,
) -> Precheck:
    """Check one encounter not yet settled; store the check and its violations (for 3103).

    Claims that wait at the same moment are looked up, screened and stored together
    (CHECKER): a few queries and one run of the rules for all of them.
    """
    return CHECKER.submit(Claim.of(institution, encounter, raw, at))


def check_claims(claims: Sequence[Claim]) -> list[Precheck | Exception]:
    """Each claim's pre-check, stored; or why it was refused (unknown person, settled)."""
    started = clock.perf_counter()
    persons, settled = _persons_and_settled(claims)
    outcomes: dict[str, Precheck | Exception] = {}
    ready: list[tuple[Claim, Person]] = []
    for claim in claims:
        person = persons.get(claim.encounter["psn_no"])
        refusal = _refusal(claim, person, settled)
        if refusal is not None:
            outcomes[claim.task_id] = refusal
        else:
            ready.append((claim, person))
    jobs = claim_jobs(ready) if ready else []
    read_at = clock.perf_counter()
    flags = screen_claims(jobs) if jobs else []
    ruled_at = clock.perf_counter()
    found = [
        _violations(job, claim.encounter, job_flags)
        for (claim, _person), job, job_flags in zip(ready, jobs, flags, strict=True)
    ]
    records = _store(ready, found) if ready else []
    done = clock.perf_counter()
    timings = {"read": read_at - started, "rules": ruled_at - read_at, "store": done - ruled_at}
    for (claim, _person), record, violations in zip(ready, records, found, strict=True):
        outcomes[claim.task_id] = Precheck(record=record, violations=violations, timings=timings)
    return [outcomes[claim.task_id] for claim in claims]


def _persons_and_settled(claims: Sequence[Claim]) -> tuple[dict[str, Person], set[str]]:
    """The claims' persons by psn_no, and which of their encounters are settled already."""
    if len(claims) == 1:  # most often a claim is checked alone: the compiled lookups
        psn_no, mdtrt_id = claims[0].encounter["psn_no"], claims[0].encounter["mdtrt_id"]
        person = selectors.person_by_number(psn_no)
        settled = {mdtrt_id} if selectors.encounter_settled(mdtrt_id) else set()
        return ({psn_no: person} if person else {}), settled
    persons = Person.objects.only(*PERSON_FIELDS).in_bulk(
        {claim.encounter["psn_no"] for claim in claims}
    )
    encounters = {claim.encounter["mdtrt_id"] for claim in claims}
    settled = Settlement.objects.filter(encounter_id__in=encounters)
    return persons, set(settled.values_list("encounter_id", flat=True))


PERSON_FIELDS = ("psn_no", "gender", "birth_date", "insurance_type", "division_code")


def _refusal(claim: Claim, person: Person | None, settled: set[str]) -> Exception | None:
    encounter = claim.encounter
    if person is None:
        return FieldErrors(
            {"psn_no": [_("No insured person %(psn_no)s.") % {"psn_no": encounter["psn_no"]}]}
        )
    if encounter["mdtrt_id"] in settled:
        return Conflict(
            _("Encounter %(mdtrt_id)s is already settled; pre-check an unsettled encounter.")
            % {"mdtrt_id": encounter["mdtrt_id"]}
        )
    return None


def claim_job(
    task_id: str,
    institution: Institution,
    person: Person,
    encounter: dict[str, Any],
    at: datetime,
) -> ClaimJob:
    """One claim's rows and the person's stored history the rules look back over."""
    claim = Claim.of(institution, encounter, {}, at, task_id=task_id)
    return claim_jobs([(claim, person)])[0]


def claim_jobs(claims: Sequence[tuple[Claim, Person]]) -> list[ClaimJob]:
    """Claims ready for the rules, each with its person's history (two queries for all)."""
    histories = history_rows(claims)
    return [
        ClaimJob(
            task_id=claim.task_id,
            psn_no=person.psn_no,
            first_day=claim.first_day,
            last_day=claim.last_day,
            at=claim.at,
            person={
                "psn_no": person.psn_no,
                "gend": person.gender,
                "brdy": person.birth_date,
                "insutype": person.insurance_type,
                "insuplc_admdvs": person.division_code,
            },
            institution={
                "fixmedins_code": claim.institution.code,
                "fixmedins_type": claim.institution.kind,
                "hosp_lv": claim.institution.hospital_grade or None,
                "admdvs": claim.institution.division_code,
                "open_bed_cnt": claim.institution.beds,
            },
            claim=claim.rows,
            history=history,
            codes=_codes(claim),
        )
        for (claim, person), history in zip(claims, histories, strict=True)
    ]


def _codes(claim: Claim) -> frozenset[str]:
    return frozenset(row["med_list_codg"] for row in claim.rows["fee_lines"])


# --- Rows: the claim as it was sent, and the person's history as batch screening reads it.


def _wall(moment: datetime, zone: Any = None) -> datetime:
    """The Shanghai wall clock of an aware time (frames hold naive wall-clock times)."""
    zone = zone or timezone.get_current_timezone()
    if moment.tzinfo is not zone:  # the body's times come in the zone itself: no conversion
        moment = timezone.localtime(moment, zone)  # (and a naive time is refused)
    return moment.replace(tzinfo=None)


def _fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def claim_rows(
    task_id: str, institution: Institution, encounter: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """The encounter as one settlement (setl_id = the task id), its diagnoses and fee lines."""
    mdtrt_id, psn_no = encounter["mdtrt_id"], encounter["psn_no"]
    lines = encounter["fee_details"]
    zone = timezone.get_current_timezone()
    total = sum(_fen(line["det_item_fee_sumamt"]) for line in lines)
    settlement = {
        "setl_id": task_id,
        "mdtrt_id": mdtrt_id,
        "psn_no": psn_no,
        "fixmedins_code": institution.code,
        "insutype": encounter["insutype"],
        "med_type": encounter["med_type"],
        "begntime": _wall(encounter["begntime"]),
        "endtime": _wall(encounter["endtime"]),
        "dise_codg": encounter.get("dise_codg") or None,
        "adm_dept_codg": encounter.get("adm_dept_codg") or None,
        "atddr_no": encounter.get("atddr_no") or None,
        "medfee_sumamt": total,
        # Not settled: the fund's share is unknown; the whole cost is what is in doubt.
        "hifp_pay": total,
        "refd_setl_flag": False,
    }
    diagnoses = [
        {"mdtrt_id": mdtrt_id, "diag_srt_no": item["diag_srt_no"], "diag_code": item["diag_code"]}
        for item in encounter.get("diagnoses") or []
    ]
    if encounter.get("dise_codg") and all(item["diag_srt_no"] != 1 for item in diagnoses):
        diagnoses.append(
            {"mdtrt_id": mdtrt_id, "diag_srt_no": 1, "diag_code": encounter["dise_codg"]}
        )
    fee_lines = [
        {
            "feedetl_sn": line["feedetl_sn"],
            "setl_id": task_id,
            "mdtrt_id": mdtrt_id,
            "psn_no": psn_no,
            "fixmedins_code": institution.code,
            "fee_ocur_time": _wall(line["fee_ocur_time"], zone),
            "med_list_codg": line["med_list_codg"],
            "med_chrgitm_type": line["med_chrgitm_type"],
            "cnt": float(line["cnt"]),
            "pric": _fen(line["pric"]),
            "det_item_fee_sumamt": _fen(line["det_item_fee_sumamt"]),
            "prd_days": line.get("prd_days"),
            "bilg_dept_codg": line.get("bilg_dept_codg") or None,
            "bilg_dr_codg": line.get("bilg_dr_codg") or None,
            "chrgitm_lv": line.get("chrgitm_lv") or None,
        }
        for line in lines
    ]
    return {"settlements": [settlement], "diagnoses": diagnoses, "fee_lines": fee_lines}


def _claim_days(fee_lines: list[dict[str, Any]], encounter: dict[str, Any]) -> tuple[date, date]:
    days = [_wall(encounter["begntime"]).date(), _wall(encounter["endtime"]).date()]
    days += [line["fee_ocur_time"].date() for line in fee_lines]
    return min(days), max(days)


def history_rows(
    claims: Sequence[tuple[Claim, Person]],
) -> list[dict[str, tuple[list[str], list[tuple]]]]:
    """Each claim's person's stored fee lines and settlements the rules look back over."""
    zone = ZoneInfo(settings.TIME_ZONE)
    lines, stays, line_params, stay_params = [], [], [], []
    for claim, person in claims:
        since = datetime.combine(claim.first_day - timedelta(days=LOOKBACK_DAYS), time(), zone)
        until = datetime.combine(claim.last_day + timedelta(days=1), time(), zone)
        codes = sorted(_codes(claim))
        # Only earlier charges of the claim's own items: every line rule compares a line with
        # charges of the same item (repeats, daily units, supply days, the exam window) or
        # with lines of the same encounter (bundles, days of a course), so the others cannot
        # matter.
        in_codes, code_params = _one_of("item_code", codes)
        lines.append(f"(person_id = %s AND occurred_at >= %s AND occurred_at < %s AND {in_codes})")
        line_params += [person.pk, _param(since), _param(until), *code_params]
        stays.append("(person_id = %s AND begin_time < %s AND end_time >= %s)")
        stay_params += [person.pk, _param(until), _param(since)]
    found = {
        "fee_lines": _fetch("fee_lines", " OR ".join(lines), line_params),
        "settlements": _fetch("settlements", " OR ".join(stays), stay_params),
    }
    # One claim per person (the checker's rule): a person's rows are that claim's.
    mine: dict[tuple[str, str], list[tuple]] = {}
    for frame, (names, rows) in found.items():
        column = names.index("psn_no")
        for row in rows:
            mine.setdefault((frame, row[column]), []).append(row)
    return [
        {
            frame: (names, mine.get((frame, person.psn_no), []))
            for frame, (names, _) in found.items()
        }
        for _claim, person in claims
    ]


def _one_of(column: str, values: list[str]) -> tuple[str, list[Any]]:
    """`column` is one of the values: on PostgreSQL one array parameter, not one per value
    (psycopg splits a statement of many placeholders anew each time: 2 ms a batch)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def _param(moment: datetime) -> datetime | str:
    """SQLite compares the stored UTC text; PostgreSQL takes the aware datetime."""
    if connection.vendor == "postgresql":
        return moment
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _fetch(frame: str, where: str, params: list[Any]) -> tuple[list[str], list[tuple]]:
    """A few rows through Django's connection (no second connection per request)."""
    with connection.cursor() as cursor:
        cursor.execute(f"{select_sql(frame)} WHERE {where}", params)
        return [column[0] for column in cursor.description], cursor.fetchall()


# --- Frames of a batch of claims: every claim's person is another, so none sees another's.


def screen_claims(jobs: Sequence[ClaimJob]) -> list[list[dict[str, Any]]]:
    """Run the pre-check rules once over the claims' frames; each claim's flags as rows.

    The rules compare a person's lines and stays with the same person's only (every key
    holds psn_no, setl_id or mdtrt_id), so persons checked together find what each would
    alone; tests/api/test_precheck.py checks that. Each claim keeps the flags of its own
    person within its own days, the window screen_frames would have been given for it alone.
    The rule configuration is the one in force when the claims were checked: claims a
    version change falls between are run one by one.
    """
    config = rule_config_in_force_recent(at=min(job.at for job in jobs))
    if len(jobs) > 1 and rule_config_in_force_recent(at=max(job.at for job in jobs)) != config:
        raise ValueError("the rule configuration changed between these claims")  # one by one
    result = _prepared(config).run(
        _batch_frames(jobs),
        window_start=min(job.first_day for job in jobs),
        window_end=max(job.last_day for job in jobs),
        detected_at=timezone.now(),
    )
    rows = result.flags.to_dicts()  # (detected_at too: dropping it costs more than it)
    if len(jobs) == 1:
        return [rows]
    by_person: dict[str, list[dict[str, Any]]] = {job.psn_no: [] for job in jobs}
    for row in rows:
        if row["psn_no"] not in by_person:
            raise ValueError("a flag without a person of the batch")  # rerun one by one
        by_person[row["psn_no"]].append(row)
    return [
        [
            row
            for row in by_person[job.psn_no]
            if job.first_day <= row["event_time"].date() <= job.last_day
        ]
        for job in jobs
    ]


_PREPARED: dict[str, PreparedRules] = {}  # by rule configuration: a version or two at once


def _prepared(config: dict[str, Any]) -> PreparedRules:
    """The pre-check rules' plans for this configuration, built once per process."""
    key = json.dumps(config, sort_keys=True, default=str)
    prepared = _PREPARED.get(key)
    if prepared is None:
        if len(_PREPARED) >= 4:
            _PREPARED.clear()
        prepared = _PREPARED[key] = PreparedRules(PRECHECK_RULES, config)
    return prepared


def _batch_frames(jobs: Sequence[ClaimJob]) -> dict[str, pl.DataFrame]:
    """The claims' frames joined by their persons' stored rows, as batch screening reads."""
    in_codes, code_params = _one_of("code", sorted(set().union(*(job.codes for job in jobs))))
    day = jobs[0].last_day.isoformat()
    catalog = _history_frame(
        "catalog",
        *_fetch(
            "catalog",
            f"{in_codes} AND effective_from <= %s AND (effective_to IS NULL OR effective_to > %s)",
            [*code_params, day, day],
        ),
    )
    institutions = {job.institution["fixmedins_code"]: job.institution for job in jobs}
    return {
        "fee_lines": _sent_and_stored("fee_lines", jobs),
        "settlements": _sent_and_stored("settlements", jobs),
        "diagnoses": _dict_frame(
            "diagnoses", [row for job in jobs for row in job.claim["diagnoses"]]
        ),
        "catalog": catalog,
        "persons": _typed_frame(
            "persons", list(jobs[0].person), [tuple(job.person.values()) for job in jobs]
        ),
        "institutions": _institutions_frame(list(institutions.values())),
    }


def _sent_and_stored(name: str, jobs: Sequence[ClaimJob]) -> pl.DataFrame:
    """The claims' rows, then their persons' stored rows, in one frame."""
    names = jobs[0].history[name][0]
    stored = [row for job in jobs for row in job.history[name][1]]
    sent = [row for job in jobs for row in job.claim[name]]
    if connection.vendor != "postgresql":
        return pl.concat([_frame(name, sent), _history_frame(name, names, stored)])
    # The claims' rows as the stored ones come (select_sql's columns): one frame, not two.
    as_stored = [tuple(row.get(column) for column in names) for row in sent]
    return _typed_frame(name, names, [*as_stored, *stored])


def _frame(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = SCHEMAS[name]
    return pl.DataFrame(
        [{column: row.get(column) for column in schema} for row in rows], schema=schema
    )


def _dict_frame(frame: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """The claims' own rows (dicts of the frame's columns) as _typed_frame makes them (no
    claim's diagnosis code is blank: the body check refuses one)."""
    names = list(SCHEMAS[frame])
    return _typed_frame(frame, names, [tuple(row.get(name) for name in names) for row in rows])


def _history_frame(frame: str, names: list[str], rows: list[tuple]) -> pl.DataFrame:
    """Rows of select_sql(frame) as conform makes them, the frame's schema."""
    if connection.vendor != "postgresql":  # SQLite's times are UTC text: conform converts
        found = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
        return conform(frame, found).collect()
    # PostgreSQL's rows come in the frame's own types (select_sql casts them).
    return _typed_frame(frame, names, rows)


def _typed_frame(frame: str, names: list[str], rows: list[tuple]) -> pl.DataFrame:
    """Rows already in the frame's types as conform would leave them: "" is null (how tables
    store "none"), absent columns are null. A fraction of conform's cost on a few rows."""
    position = {name: index for index, name in enumerate(names)}
    return pl.DataFrame(
        [_column(name, dtype, rows, position.get(name)) for name, dtype in SCHEMAS[frame].items()]
    )


_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 (frames hold wall-clock times, naive)
_EPOCH_DAY = date(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def _column(name: str, dtype: pl.DataType, rows: list[tuple], index: int | None) -> pl.Series:
    """One column as pl.DataFrame(..., schema=) would build it, series by series (cheaper)."""
    if index is None:
        return pl.Series(name, [None] * len(rows), dtype=dtype)
    values = [row[index] for row in rows]
    if dtype == pl.String:
        return pl.Series(name, [value or None for value in values], dtype=dtype)
    try:
        # polars converts times and dates object by object, several times slower than the
        # arithmetic. An aware time (never one of ours) raises and takes polars' own way.
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is None and dtype.time_unit == "us":
            micros = [None if v is None else (v - _EPOCH) // _MICROSECOND for v in values]
            return pl.Series(name, micros, dtype=pl.Int64).cast(dtype)
        if dtype == pl.Date:
            days = [None if v is None else (v - _EPOCH_DAY).days for v in values]
            return pl.Series(name, days, dtype=pl.Int32).cast(dtype)
    except TypeError:
        return pl.DataFrame({name: values}, schema={name: dtype}).to_series()
    return pl.Series(name, values, dtype=dtype)


def _institutions_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """The institutions' rows as batch screening reads them (conform derives hosp_level)."""
    frames = [_institution_frame(tuple(row.items())) for row in rows]
    return frames[0] if len(frames) == 1 else pl.concat(frames)


@functools.lru_cache(maxsize=1024)
def _institution_frame(row: tuple[tuple[str, Any], ...]) -> pl.DataFrame:
    # Keyed by the row's values: an institution changed in the registry is another key.
    return conform("institutions", pl.DataFrame([dict(row)])).collect()


CHECKER: Combiner[Claim, Precheck] = Combiner(
    check_claims,
    # One catalog version per run (the claims' last day); one claim per person.
    key=lambda claim: claim.last_day,
    conflict=lambda claim: claim.encounter["psn_no"],
    limit=BATCH_LIMIT,
)


# --- Findings as 3101/3102 result records.

_CONTENT = {
    "DUP_CHARGE": "项目【{item}】同一时刻重复收费或超过每日限量",
    "DUP_EXAM": "检查化验项目【{item}】在间隔期内重复开具",
    "EXCLUSIVE_ITEMS": "项目【{item}】已包含在同次就诊的打包项目中（分解/互斥收费）",
    "OVER_PRICE": "项目【{item}】单价超过医保限价",
    "OVER_SCOPE_DRUG": "项目【{item}】超出医保限定支付范围",
    "EXCESS_QUANTITY": "药品【{item}】开药天数超过规定",
    "SPLIT_ADMISSION": "出院后短期内以同类诊断再次入院，疑似分解住院",
    "OVERLAPPING_STAYS": "同一参保人在不同机构的住院时间重叠",
    "DIAG_MISMATCH": "诊断与参保人性别或年龄不符",
}
_NAMES = {module.RULE.code: module.RULE.name_zh for module in PRECHECK_RULES}


def _violations(
    job: ClaimJob, encounter: dict[str, Any], flags: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    task_id = job.task_id
    claim_lines = {row["feedetl_sn"] for row in job.claim["fee_lines"]}
    line_items = _line_items(job)
    mdtrt_id, psn_no = encounter["mdtrt_id"], encounter["psn_no"]
    found = []
    for flag in sorted(flags, key=_flag_order):
        evidence = json.loads(flag["evidence"] or "{}")
        mentioned = _mentioned_lines(evidence, line_items)
        own = flag["feedetl_sn"]
        involved = [own] if own else []
        involved += [number for number in mentioned if number != own]
        if not (
            flag["setl_id"] == task_id
            or task_id in (flag["evidence"] or "")
            or claim_lines.intersection(involved)
        ):
            continue  # about the person's history alone, not this claim
        jr_id = f"{task_id}-{len(found) + 1:03d}"
        item = line_items.get(own or "") or evidence.get("med_list_codg", "")
        amount = Decimal(flag["amount_at_risk"] or 0) / 100
        found.append(
            {
                "jr_id": jr_id,
                "rule_id": flag["rule_code"],
                "rule_name": _NAMES[flag["rule_code"]],
                "vola_cont": _CONTENT[flag["rule_code"]].format(item=item),
                "patn_id": psn_no,
                "mdtrt_id": mdtrt_id,
                "judge_result_detail_dtos": [
                    {
                        "jrd_id": f"{jr_id}-{index}",
                        "patn_id": psn_no,
                        "mdtrt_id": mdtrt_id,
                        "feedetl_sn": number,
                        "vola_item_type": _item_type(number, own, claim_lines),
                        "vola_amt": amount if number == own else Decimal("0.00"),
                    }
                    for index, number in enumerate(involved, start=1)
                ],
                "vola_amt": amount.quantize(Decimal("0.01")),
                "sev_deg": str(flag["sev_deg"]),
                "vola_evid": flag["evidence"] or "",
                "task_id": task_id,
            }
        )
    return found


def _flag_order(flag: dict[str, Any]) -> tuple[str, bool, str]:
    """By rule, then fee line (flags of a settlement, without one, last)."""
    return flag["rule_code"], flag["feedetl_sn"] is None, flag["feedetl_sn"] or ""


def _line_items(job: ClaimJob) -> dict[str, str]:
    """Item code of every fee line the rules saw for the claim: its own and the history's."""
    items = {row["feedetl_sn"]: row["med_list_codg"] for row in job.claim["fee_lines"]}
    names, rows = job.history["fee_lines"]
    number, code = names.index("feedetl_sn"), names.index("med_list_codg")
    items.update((row[number], row[code]) for row in rows if row[number])
    return items


def _item_type(number: str, own: str | None, claim_lines: set[str]) -> str:
    """违规项: the flagged line of this claim, or this claim's lines when the flagged line is
    an earlier one (the claim's line is what the hospital can still change); else 涉及项."""
    if own in claim_lines:
        return VIOLATION_LINE if number == own else CONTEXT_LINE
    return VIOLATION_LINE if number in claim_lines else CONTEXT_LINE


def _mentioned_lines(evidence: Any, known: dict[str, Any]) -> list[str]:
    """Fee line numbers the evidence names (the earlier exam, the bundle, the original…)."""
    found: list[str] = []
    stack = [evidence]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and value in known and value not in found:
            found.append(value)
    return found


def _store(
    claims: Sequence[tuple[Claim, Person]], found: Sequence[list[dict[str, Any]]]
) -> list[PrecheckRecord]:
    """The claims' pre-check records and their violations: one statement for all."""
    records = [
        PrecheckRecord(
            task_id=claim.task_id,
            institution=claim.institution,
            encounter_id=claim.encounter["mdtrt_id"],
            person=person,
            trigger=claim.encounter.get("trig_scen", ""),
            request=claim.raw,
            checked_at=claim.at,
            violation_count=len(violations),
        )
        for (claim, person), violations in zip(claims, found, strict=True)
    ]
    insert_together(
        records,
        [
            PrecheckViolation(
                jr_id=violation["jr_id"],
                precheck=record,
                rule_code=violation["rule_id"],
                rule_name=violation["rule_name"],
                content=violation["vola_cont"],
                amount=violation["vola_amt"],
                sev_deg=int(violation["sev_deg"]),
                evidence=violation["vola_evid"],
                lines=[
                    {**line, "vola_amt": str(line["vola_amt"])}
                    for line in violation["judge_result_detail_dtos"]
                ],
            )
            for record, violations in zip(records, found, strict=True)
            for violation in violations
        ],
    )
    return records

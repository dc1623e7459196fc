"""Pre-check (3101/3102) through the same rule modules as batch screening, and 3103 answers."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import polars as pl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from medins.models import Designation, Person
from screening.models import RuleConfigVersion
from screening.sources import conform
from settlement.api.encounters import new_id
from settlement.api.exceptions import Conflict, FieldErrors
from settlement.api.precheck import (
    Claim,
    _history_frame,
    _typed_frame,
    check_claims,
    claim_job,
    claim_jobs,
    screen_claims,
)
from settlement.api.precheck_batch import Combiner
from settlement.api.serializers import PrecheckInputSerializer, PrecheckOutputSerializer
from settlement.models import PrecheckAnswer, PrecheckRecord, PrecheckViolation
from tests.api.conftest import BUNDLE, COMPONENT, DRUG, EXAM, encounter, line
from tests.factories import (
    CatalogItemFactory,
    DiagnosisFactory,
    FeeLineFactory,
    PersonFactory,
    SettlementFactory,
    shanghai,
)

PRECHECKS = "/api/v1/prechecks/"


def precheck(client, payload):
    return client.post(PRECHECKS, payload, format="json")


def rules_of(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return sorted(item["rule_id"] for item in response.json()["result"])


def stay(world, institution, begin, end, diagnosis="I63.900", **values):
    settlement = SettlementFactory(
        person=world.person,
        institution=institution,
        medical_type="21",
        begin_time=begin,
        end_time=end,
        main_diagnosis=diagnosis,
        **values,
    )
    DiagnosisFactory(settlement=settlement, code=diagnosis)
    return settlement


def inpatient(mdtrt_id="MD0009", begin="2026-03-20 09:00:00", end="2026-03-25 10:00:00", **v):
    fee = line(f"{mdtrt_id}-1", fee_ocur_time=begin)
    return encounter(
        mdtrt_id,
        fee,
        med_type="21",
        begntime=begin,
        endtime=end,
        dise_codg=v.pop("dise_codg", "I63.901"),
        diagnoses=[],
        **v,
    )


class TestWithinTheClaim:
    def test_a_clean_claim_has_no_violations_and_is_recorded(self, world):
        response = precheck(world.hospital, encounter())

        assert rules_of(response) == []
        record = PrecheckRecord.objects.get(task_id=response.json()["task_id"])
        assert record.institution == world.qilu
        assert record.encounter_id == "MD0001"
        assert record.violation_count == 0

    def test_finds_price_bundle_and_duplicate_charges(self, world):
        payload = encounter(
            "MD0001",
            line("L1", DRUG, med_chrgitm_type="09", pric="12.00", cnt="2"),
            line("L2", BUNDLE, med_chrgitm_type="06", pric="500.00"),
            line("L3", COMPONENT, med_chrgitm_type="06", pric="80.00"),
            line("L4", EXAM),
            line("L5", EXAM),
        )

        response = precheck(world.hospital, payload)

        assert rules_of(response) == ["DUP_CHARGE", "EXCLUSIVE_ITEMS", "OVER_PRICE"]
        by_rule = {item["rule_id"]: item for item in response.json()["result"]}
        over = by_rule["OVER_PRICE"]
        assert over["vola_amt"] == "4.00"  # (12.00 − 10.00) × 2
        assert over["sev_deg"] == "1"
        assert over["rule_name"] == "超标准收费"
        assert over["patn_id"] == world.person.psn_no
        assert over["mdtrt_id"] == "MD0001"
        assert [
            (d["feedetl_sn"], d["vola_item_type"]) for d in over["judge_result_detail_dtos"]
        ] == [("L1", "1")]
        assert DRUG in over["vola_cont"]
        bundle = by_rule["EXCLUSIVE_ITEMS"]["judge_result_detail_dtos"]
        assert {d["feedetl_sn"] for d in bundle} == {"L2", "L3"}
        assert by_rule["DUP_CHARGE"]["judge_result_detail_dtos"][0]["feedetl_sn"] == "L5"

    def test_a_restricted_item_outside_its_limits_is_over_scope(self, world):
        CatalogItemFactory(
            code="XG03GAA001A001010100001", list_type="101", charge_type="09", limit_gender="2"
        )
        payload = encounter("MD0001", line("L1", "XG03GAA001A001010100001", med_chrgitm_type="09"))

        assert rules_of(precheck(world.hospital, payload)) == ["OVER_SCOPE_DRUG"]

    def test_too_many_days_of_supply_is_excess_quantity(self, world):
        payload = encounter(
            "MD0001", line("L1", DRUG, med_chrgitm_type="09", pric="8.00", prd_days=20)
        )

        assert rules_of(precheck(world.hospital, payload)) == ["EXCESS_QUANTITY"]

    def test_a_diagnosis_impossible_for_the_person(self, world):
        payload = encounter(dise_codg="O80.000", diagnoses=[])

        assert rules_of(precheck(world.hospital, payload)) == ["DIAG_MISMATCH"]


class TestAgainstTheHistory:
    def test_an_exam_repeated_within_its_window(self, world):
        earlier = SettlementFactory(
            person=world.person, institution=world.qingdao, begin_time=shanghai(2026, 2, 20, 9)
        )
        FeeLineFactory(line_id="OLD-1", settlement=earlier, item_code=EXAM)

        response = precheck(world.hospital, encounter())

        assert rules_of(response) == ["DUP_EXAM"]
        details = response.json()["result"][0]["judge_result_detail_dtos"]
        assert {(d["feedetl_sn"], d["vola_item_type"]) for d in details} == {
            ("MD0001-1", "1"),
            ("OLD-1", "2"),
        }

    def test_an_exam_outside_its_window_is_fine(self, world):
        earlier = SettlementFactory(
            person=world.person, institution=world.qilu, begin_time=shanghai(2026, 1, 20, 9)
        )
        FeeLineFactory(line_id="OLD-1", settlement=earlier, item_code=EXAM)

        assert rules_of(precheck(world.hospital, encounter())) == []

    def test_a_readmission_for_the_same_condition_is_a_split_admission(self, world):
        stay(world, world.qilu, shanghai(2026, 3, 5, 9), shanghai(2026, 3, 15, 10))

        assert rules_of(precheck(world.hospital, inpatient())) == ["SPLIT_ADMISSION"]

    def test_a_stay_elsewhere_at_the_same_time_overlaps(self, world):
        stay(world, world.qingdao, shanghai(2026, 3, 18, 9), shanghai(2026, 3, 23, 10), "K35.800")

        assert rules_of(precheck(world.hospital, inpatient())) == ["OVERLAPPING_STAYS"]

    def test_findings_about_the_history_alone_are_not_answered(self, world):
        earlier = SettlementFactory(
            person=world.person, institution=world.qilu, begin_time=shanghai(2026, 2, 20, 9)
        )
        FeeLineFactory(
            line_id="OLD-1",
            settlement=earlier,
            item_code=DRUG,
            unit_price=50,
            amount=50,
            charge_type="09",
        )

        assert rules_of(precheck(world.hospital, encounter("MD0001", line("L1")))) == []


class TestSameConfigurationAsBatchScreening:
    def test_a_rule_disabled_for_screening_is_disabled_here(self, world):
        RuleConfigVersion.objects.create(
            rule_code="OVER_PRICE", enabled=False, effective_from=timezone.now() - timedelta(1)
        )
        payload = encounter("MD0001", line("L1", DRUG, med_chrgitm_type="09", pric="12.00"))

        assert rules_of(precheck(world.hospital, payload)) == []


class TestRefusals:
    def test_an_encounter_already_settled_answers_409(self, world):
        world.hospital.post("/api/v1/settlements/", encounter(), format="json")

        response = precheck(world.hospital, encounter())

        assert response.status_code == 409

    def test_an_unknown_person_is_a_field_error(self, world):
        response = precheck(world.hospital, encounter(psn_no="nobody"))

        assert response.status_code == 400
        assert set(response.json()["error"]["fields"]) == {"psn_no"}
        assert not PrecheckRecord.objects.exists()

    def test_a_suspended_institution_is_refused(self, world):
        Designation.objects.create(
            institution=world.qilu,
            status=Designation.Status.SUSPENDED,
            effective_from=timezone.localdate(),
        )

        assert precheck(world.hospital, encounter()).status_code == 403


@pytest.fixture
def warned(world) -> dict:
    payload = encounter("MD0001", line("L1", DRUG, med_chrgitm_type="09", pric="12.00"))
    return precheck(world.hospital, payload).json()


def answer(client, *warns, warn_type="2"):
    return client.post(
        f"{PRECHECKS}feedback/", {"warn_type": warn_type, "warns": list(warns)}, format="json"
    )


class TestFeedback:
    def test_records_the_answer_and_shows_it_with_the_precheck(self, world, warned):
        jr_id = warned["result"][0]["jr_id"]

        response = answer(
            world.hospital, {"warn_rslt_id": jr_id, "dspo_way": "1", "dspo_way_rea": "患者自愿"}
        )

        assert response.status_code == 201
        stored = PrecheckAnswer.objects.get()
        assert (stored.violation_id, stored.way, stored.reason) == (jr_id, "1", "患者自愿")
        shown = world.hospital.get(f"{PRECHECKS}{warned['task_id']}/").json()
        assert shown["result"][0]["answer"]["dspo_way_rea"] == "患者自愿"

    def test_continuing_needs_a_reason(self, world, warned):
        jr_id = warned["result"][0]["jr_id"]

        response = answer(world.hospital, {"warn_rslt_id": jr_id, "dspo_way": "1"})

        assert response.status_code == 400
        assert "warns[0].dspo_way_rea" in response.json()["error"]["fields"]
        assert not PrecheckAnswer.objects.exists()

    def test_modifying_needs_no_reason_and_answers_once(self, world, warned):
        warn = {"warn_rslt_id": warned["result"][0]["jr_id"], "dspo_way": "2"}
        answer(world.hospital, warn)

        again = answer(world.hospital, warn)

        assert again.status_code == 409
        assert PrecheckAnswer.objects.count() == 1

    def test_another_institutions_result_is_unknown(self, world, warned):
        warn = {"warn_rslt_id": warned["result"][0]["jr_id"], "dspo_way": "2"}

        response = answer(world.other_hospital, warn)

        assert response.status_code == 400
        assert "warns[0].warn_rslt_id" in response.json()["error"]["fields"]
        assert world.other_hospital.get(f"{PRECHECKS}{warned['task_id']}/").status_code == 404

    def test_auditors_see_the_answers_in_their_region(self, world, warned):
        from settlement.selectors import precheck_violations_visible_to
        from tests.factories import make_user

        warn = {"warn_rslt_id": warned["result"][0]["jr_id"], "dspo_way": "2"}
        answer(world.hospital, warn)

        jinan = list(precheck_violations_visible_to(make_user("auditor", region_code="3701")))
        qingdao = list(precheck_violations_visible_to(make_user("auditor", region_code="3702")))

        assert [violation.answer.way for violation in jinan] == ["2"]
        assert qingdao == []
        assert PrecheckViolation.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # PostgreSQL sources read on their own connection
class TestOneImplementation:
    def test_the_precheck_finds_what_batch_screening_finds_once_settled(self, world):
        from screening.engine import screen_frames
        from screening.services.config import rule_config_in_force
        from screening.sources import read_frames, window_slice
        from settlement.api.precheck import LOOKBACK_DAYS, PRECHECK_RULES

        earlier = SettlementFactory(
            person=world.person, institution=world.qingdao, begin_time=shanghai(2026, 2, 20, 9)
        )
        FeeLineFactory(line_id="OLD-1", settlement=earlier, item_code=EXAM)
        payload = encounter(
            "MD0001",
            line("L1", DRUG, med_chrgitm_type="09", pric="12.00"),
            line("L2", BUNDLE, med_chrgitm_type="06", pric="500.00"),
            line("L3", COMPONENT, med_chrgitm_type="06", pric="80.00"),
            line("L4", EXAM),
        )
        prechecked = {
            (item["rule_id"], detail["feedetl_sn"])
            for item in precheck(world.hospital, payload).json()["result"]
            for detail in item["judge_result_detail_dtos"]
            if detail["vola_item_type"] == "1"
        }

        world.hospital.post("/api/v1/settlements/", payload, format="json")
        day = shanghai(2026, 3, 2).date()
        names = {name for module in PRECHECK_RULES for name in module.RULE.reads}
        part = window_slice(window_start=day, window_end=day, lookback_days=LOOKBACK_DAYS)
        flags = screen_frames(
            read_frames(names, part, catalog_day=day),
            rules=PRECHECK_RULES,
            config=rule_config_in_force(at=shanghai(2026, 3, 3)),
            window_start=day,
            window_end=day,
            detected_at=shanghai(2026, 3, 3),
        ).flags
        screened = {
            (row["rule_code"], row["feedetl_sn"])
            for row in flags.iter_rows(named=True)
            if row["feedetl_sn"] in {"L1", "L2", "L3", "L4"}
        }

        assert prechecked == screened
        assert {code for code, _line in screened} == {"DUP_EXAM", "EXCLUSIVE_ITEMS", "OVER_PRICE"}


def _job(institution, payload, at=None):
    incoming = PrecheckInputSerializer(data=payload)
    incoming.is_valid(raise_exception=True)
    at = at or shanghai(2026, 3, 3)
    person = Person.objects.get(psn_no=payload["psn_no"])
    return claim_job(new_id("T", at), institution, person, incoming.validated_data, at)


def _flag_rows(rows):
    return sorted(
        (row["rule_code"], row["subject_key"], row["feedetl_sn"], row["evidence"]) for row in rows
    )


class TestClaimsCheckedTogether:
    """Under load the claims waiting at once run through the rules in one batch."""

    def test_a_batch_finds_for_each_claim_what_it_finds_alone(self, world):
        woman = PersonFactory(psn_no="37010200000000002", gender="2", birth_date=date(1990, 1, 2))
        man = PersonFactory(psn_no="37010200000000003")
        patient = PersonFactory(psn_no="37010200000000004")
        for person, institution in ((world.person, world.qingdao), (woman, world.qilu)):
            earlier = SettlementFactory(
                person=person, institution=institution, begin_time=shanghai(2026, 2, 20, 9)
            )
            FeeLineFactory(line_id=f"OLD-{person.psn_no}", settlement=earlier, item_code=EXAM)
        before = SettlementFactory(
            person=patient,
            institution=world.qilu,
            medical_type="21",
            begin_time=shanghai(2026, 2, 10, 9),
            end_time=shanghai(2026, 2, 20, 10),
            main_diagnosis="I63.900",
        )
        DiagnosisFactory(settlement=before, code="I63.900")
        payloads = [
            (
                world.qilu,
                encounter(
                    "MD0001",
                    line("L1", DRUG, med_chrgitm_type="09", pric="12.00", prd_days=20),
                    line("L2", BUNDLE, med_chrgitm_type="06", pric="500.00"),
                    line("L3", COMPONENT, med_chrgitm_type="06", pric="80.00"),
                    line("L4", EXAM),
                    line("L5", EXAM),
                ),
            ),
            (world.qingdao, encounter("MD0002", line("W1"), psn_no=woman.psn_no)),
            (world.qilu, encounter("MD0003", dise_codg="O80.000", diagnoses=[], psn_no=man.psn_no)),
            (
                world.qilu,
                inpatient(
                    "MD0004", "2026-02-27 09:00:00", "2026-03-02 10:00:00", psn_no=patient.psn_no
                ),
            ),
        ]
        jobs = [_job(*payload) for payload in payloads]
        alone = [screen_claims([job])[0] for job in jobs]

        together = screen_claims(jobs)

        assert [_flag_rows(rows) for rows in together] == [_flag_rows(rows) for rows in alone]
        rules = [{row[0] for row in _flag_rows(rows)} for rows in together]
        assert rules[0] >= {"DUP_EXAM", "DUP_CHARGE", "EXCLUSIVE_ITEMS", "OVER_PRICE"}
        assert rules[0] >= {"EXCESS_QUANTITY"}
        assert rules[1:] == [{"DUP_EXAM"}, {"DIAG_MISMATCH"}, {"SPLIT_ADMISSION"}]

    def test_claims_a_configuration_change_falls_between_are_not_run_together(self, world):
        RuleConfigVersion.objects.create(
            rule_code="OVER_PRICE", enabled=False, effective_from=shanghai(2026, 3, 3, 12)
        )
        other = PersonFactory(psn_no="37010200000000002")
        capped = line("L1", DRUG, med_chrgitm_type="09", pric="12.00")
        before = _job(world.qilu, encounter("MD0001", capped), shanghai(2026, 3, 3, 11))
        after = _job(
            world.qilu, encounter("MD0002", capped, psn_no=other.psn_no), shanghai(2026, 3, 3, 13)
        )

        with pytest.raises(ValueError, match="configuration changed"):
            screen_claims([before, after])
        assert [row["rule_code"] for row in screen_claims([before])[0]] == ["OVER_PRICE"]
        assert screen_claims([after]) == [[]]

    def test_frames_built_directly_are_what_conform_makes(self, world):
        earlier = SettlementFactory(
            person=world.person, institution=world.qingdao, begin_time=shanghai(2026, 2, 20, 9)
        )
        FeeLineFactory(line_id="OLD-1", settlement=earlier, item_code=EXAM, department_code="")
        job = _job(world.qilu, encounter())

        for name in ("fee_lines", "settlements"):
            names, rows = job.history[name]
            assert rows
            found = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
            assert _history_frame(name, names, rows).equals(conform(name, found).collect())
        persons = _typed_frame("persons", list(job.person), [tuple(job.person.values())])
        assert persons.equals(conform("persons", pl.DataFrame([job.person])).collect())


class TestClaimsLookedUpTogether:
    """A batch's persons, histories and records are read and written once for all claims."""

    @staticmethod
    def _claims(world, *payloads, at=None):
        at = at or shanghai(2026, 3, 3)
        claims = []
        for institution, payload in payloads:
            incoming = PrecheckInputSerializer(data=payload)
            incoming.is_valid(raise_exception=True)
            claims.append(Claim.of(institution, incoming.validated_data, payload, at))
        return claims

    def test_each_claim_gets_the_history_it_would_get_alone(self, world):
        other = PersonFactory(psn_no="37010200000000002")
        for person, day in ((world.person, 20), (other, 25)):
            earlier = SettlementFactory(
                person=person, institution=world.qingdao, begin_time=shanghai(2026, 2, day, 9)
            )
            FeeLineFactory(line_id=f"EXAM-{person.psn_no}", settlement=earlier, item_code=EXAM)
            FeeLineFactory(line_id=f"DRUG-{person.psn_no}", settlement=earlier, item_code=DRUG)
        long_ago = SettlementFactory(
            person=other, institution=world.qilu, begin_time=shanghai(2025, 1, 5, 9)
        )
        FeeLineFactory(line_id="LONG-AGO", settlement=long_ago, item_code=EXAM)
        claims = self._claims(
            world,
            (world.qilu, encounter("MD0001", line("L1", EXAM))),
            (world.qilu, encounter("MD0002", line("L2", DRUG), psn_no=other.psn_no)),
        )
        people = [(claim, Person.objects.get(pk=claim.encounter["psn_no"])) for claim in claims]

        together = claim_jobs(people)

        assert [job.history for job in together] == [claim_jobs([one])[0].history for one in people]
        numbers = [
            sorted(row[names.index("feedetl_sn")] for row in rows)
            for names, rows in (job.history["fee_lines"] for job in together)
        ]
        assert numbers == [[f"EXAM-{world.person.psn_no}"], [f"DRUG-{other.psn_no}"]]
        assert [len(job.history["settlements"][1]) for job in together] == [1, 1]

    def test_refused_claims_fail_alone_and_the_others_are_stored(self, world):
        other = PersonFactory(psn_no="37010200000000002")
        settled = encounter("MD0003", psn_no=other.psn_no)
        assert (
            world.hospital.post("/api/v1/settlements/", settled, format="json").status_code == 201
        )
        claims = self._claims(
            world,
            (world.qilu, encounter("MD0001", line("L1", DRUG, med_chrgitm_type="09", pric="12"))),
            (world.qilu, encounter("MD0002", psn_no="37010299999999999")),
            (world.qilu, encounter("MD0003", psn_no=other.psn_no)),
        )

        checked, unknown, settled = check_claims(claims)

        assert [item["rule_id"] for item in checked.violations] == ["OVER_PRICE"]
        assert isinstance(unknown, FieldErrors)
        assert "psn_no" in unknown.detail
        assert isinstance(settled, Conflict)
        assert list(PrecheckRecord.objects.values_list("task_id", flat=True)) == [claims[0].task_id]
        assert PrecheckViolation.objects.get().precheck_id == claims[0].task_id

    def test_the_answer_is_what_the_output_serializer_makes_of_it(self, world):
        earlier = SettlementFactory(
            person=world.person, institution=world.qingdao, begin_time=shanghai(2026, 2, 20, 9)
        )
        FeeLineFactory(line_id="OLD-1", settlement=earlier, item_code=EXAM)
        [claim] = self._claims(
            world,
            (
                world.qilu,
                encounter(
                    "MD0001",
                    line("L1", DRUG, med_chrgitm_type="09", pric="12", cnt="3"),
                    line("L2", BUNDLE, med_chrgitm_type="06", pric="500.00"),
                    line("L3", COMPONENT, med_chrgitm_type="06", pric="80.5"),
                    line("L4", EXAM),
                ),
            ),
        )

        [checked] = check_claims([claim])

        assert len(checked.violations) >= 3
        expected = PrecheckOutputSerializer(
            {"task_id": claim.task_id, "mdtrt_id": "MD0001", "result": checked.violations}
        ).data
        assert checked.response() == expected

    def test_the_queries_do_not_grow_with_the_claims(self, world):
        persons = [PersonFactory(psn_no=f"3701020000000001{n}") for n in range(3)]
        payloads = [
            (world.qilu, encounter(f"MD000{n}", line(f"L{n}", EXAM), psn_no=person.psn_no))
            for n, person in enumerate(persons)
        ]
        check_claims(self._claims(world, payloads[0]))  # the catalog and configuration read

        with CaptureQueriesContext(connection) as one:
            check_claims(self._claims(world, payloads[1]))
        with CaptureQueriesContext(connection) as three:
            check_claims(self._claims(world, *payloads))

        assert len(three) == len(one)
        assert PrecheckRecord.objects.count() == 5


class TestCombiner:
    """Jobs waiting while a run is busy go together into the next run; none waits alone."""

    @staticmethod
    def _combiner(runs: list, release: threading.Event, key=lambda job: "day") -> Combiner:
        def run(jobs):
            runs.append([job for job, _person in jobs])
            release.wait(5)
            if any(job == "bad" for job, _person in jobs):
                raise ValueError(f"bad job in {jobs}")
            return [f"done {job}" for job, _person in jobs]

        return Combiner(run, key=key, conflict=lambda job: job[1], limit=3)

    def _run_all(self, jobs: list[tuple[str, str]], **key) -> tuple[list, dict]:
        """The first job's run is busy until every other job waits behind it."""
        runs, results, release = [], {}, threading.Event()
        combiner = self._combiner(runs, release, **key)

        def submit(job):
            try:
                results[job[0]] = combiner.submit(job)
            except ValueError as error:
                results[job[0]] = error

        threads = [threading.Thread(target=submit, args=(job,)) for job in jobs]
        threads[0].start()
        while not runs:
            time.sleep(0.01)
        for thread in threads[1:]:
            thread.start()
        while len(combiner._waiting) < len(jobs) - 1:
            time.sleep(0.01)
        release.set()
        for thread in threads:
            thread.join(5)
        return runs, results

    def test_a_lone_job_runs_at_once(self):
        runs, release = [], threading.Event()
        release.set()

        assert self._combiner(runs, release).submit(("a", "p1")) == "done a"
        assert runs == [["a"]]

    def test_waiting_jobs_share_runs_of_at_most_the_limit_one_per_person(self):
        jobs = [("a", "p1"), ("b", "p2"), ("c", "p2"), ("d", "p3"), ("e", "p4"), ("f", "p5")]

        runs, results = self._run_all(jobs)

        assert results == {job: f"done {job}" for job, _person in jobs}
        assert runs[0] == ["a"]
        assert all(len(run) <= 3 for run in runs)
        assert sorted(job for run in runs for job in run) == sorted(job for job, _ in jobs)
        assert not any({"b", "c"} <= set(run) for run in runs)  # one claim per person a run
        assert len(runs) <= 4  # b..f took at most three runs, not five

    def test_jobs_of_different_keys_never_share_a_run(self):
        jobs = [("a1", "p1"), ("b1", "p2"), ("a2", "p3"), ("b2", "p4")]

        runs, results = self._run_all(jobs, key=lambda job: job[0][0])  # the day, say

        assert results == {job: f"done {job}" for job, _person in jobs}
        assert all(len({job[0] for job in run}) == 1 for run in runs)

    def test_a_failing_job_fails_alone(self):
        runs, results = self._run_all([("a", "p1"), ("bad", "p2"), ("c", "p3")])

        assert results["a"] == "done a"
        assert results["c"] == "done c"
        assert isinstance(results["bad"], ValueError)
        assert ["bad", "c"] in [sorted(run) for run in runs]  # together first, then alone

    def test_a_job_the_run_refuses_is_refused_to_its_caller(self):
        runs = []

        def run(jobs):
            runs.append(list(jobs))
            return [ValueError(f"no {job}") if job == "refused" else f"done {job}" for job in jobs]

        combiner = Combiner(run, key=lambda job: "day", conflict=lambda job: job)

        assert combiner.submit("x") == "done x"
        with pytest.raises(ValueError, match="no refused"):
            combiner.submit("refused")
        assert runs == [["x"], ["refused"]]  # the run's answer, not a failed run retried

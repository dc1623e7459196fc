"""Settle, read, list and reverse through the API; idempotency; every error in one shape."""

from __future__ import annotations

import copy
import random
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from medins.models import Designation
from settlement.api import encounters
from settlement.models import FeeLine, IdempotencyRecord, Settlement, SettlementReversal
from settlement.policy.engine import OUTPATIENT_QUOTA
from settlement.policy.models import PolicyScheme
from tests.api.conftest import DRUG, encounter, line
from tests.celery_worker import service_mode

SETTLEMENTS = "/api/v1/settlements/"


def submit(client, payload, **headers):
    return client.post(SETTLEMENTS, payload, format="json", **headers)


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "fields"}
    assert body["error"]["status"] == response.status_code
    return body["error"]


class TestSubmit:
    def test_settles_the_encounter_with_the_policy_breakdown(self, world):
        response = submit(world.hospital, encounter())

        assert response.status_code == 201
        body = response.json()
        # 25.00 甲类 exam + 3 × 8.00 乙类 drug: 10 % of the drug first self-paid (2.40),
        # the fund pays 70 % of the rest of the scope: (49.00 − 2.40) × 0.70 = 32.62.
        assert body["medfee_sumamt"] == "49.00"
        assert body["inscp_scp_amt"] == "49.00"
        assert body["fulamt_ownpay_amt"] == "0.00"
        assert body["hifp_pay"] == "32.62"
        assert body["psn_cash_pay"] == "16.38"
        assert body["fixmedins_code"] == "H37010200001"
        assert body["breakdown"]["policy_version"] == "SD-2026"
        assert body["breakdown"]["steps"]
        assert [item["feedetl_sn"] for item in body["fee_details"]] == ["MD0001-1", "MD0001-2"]
        assert body["fee_details"][1]["chrgitm_lv"] == "02"  # filled from the catalog
        stored = Settlement.objects.get(setl_id=body["setl_id"])
        assert stored.fund_paid == Decimal("32.62")
        assert stored.fee_lines.count() == 2
        assert list(stored.diagnoses.values_list("rank", flat=True)) == [1]
        assert stored.breakdown.steps == body["breakdown"]["steps"]
        assert stored.breakdown.amounts["hifp_pay"] == "32.62"

    def test_what_it_adds_to_the_year_counters_is_stored(self, world):
        scheme = PolicyScheme.objects.get(med_type="11")
        scheme.outpatient_quota = Decimal("1000.00")
        scheme.save()  # the policy's reads are forgotten on save

        response = submit(world.hospital, encounter())

        assert response.status_code == 201
        stored = Settlement.objects.get(setl_id=response.json()["setl_id"])
        usages = dict(stored.policy_usages.values_list("key", "amount"))
        assert usages == {OUTPATIENT_QUOTA: Decimal("32.62")}

    def test_bad_lines_answer_400_naming_each_field_and_store_nothing(self, world):
        bad = line("MD0001-2", DRUG, med_chrgitm_type="09")
        bad["det_item_fee_sumamt"] = "99.00"
        payload = encounter("MD0001", line("MD0001-1"), bad, line("MD0001-3", cnt="-1"))

        response = submit(world.hospital, payload)

        assert response.status_code == 400
        fields = error_of(response)["fields"]
        assert "fee_details[1].det_item_fee_sumamt" in fields
        assert "fee_details[2].cnt" in fields
        assert "fee_details[0].cnt" not in fields
        assert not Settlement.objects.exists()

    def test_references_the_database_refutes_are_field_errors(self, world):
        payload = encounter(
            "MD0001", line("MD0001-1"), line("MD0001-2", "NOSUCHCODE"), psn_no="nobody"
        )

        response = submit(world.hospital, payload)

        assert response.status_code == 400
        assert set(error_of(response)["fields"]) == {"psn_no", "fee_details[1].med_list_codg"}
        assert not Settlement.objects.exists()
        assert not IdempotencyRecord.objects.exists()

    def test_missing_and_malformed_fields_are_named(self, world):
        payload = encounter()
        del payload["mdtrt_id"]
        payload["endtime"] = "2026-03-01 08:00:00"
        payload["med_type"] = "99"

        fields = error_of(submit(world.hospital, payload))["fields"]

        assert {"mdtrt_id", "med_type"} <= set(fields)

    def test_an_end_before_the_beginning_is_refused(self, world):
        response = submit(world.hospital, encounter(endtime="2026-03-01 08:00:00"))

        assert response.status_code == 400
        assert "endtime" in error_of(response)["fields"]

    def test_an_encounter_settled_before_answers_409(self, world):
        submit(world.hospital, encounter())
        again = encounter()
        again["fee_details"] = [line("OTHER-1")]

        response = submit(world.hospital, again)

        assert response.status_code == 409
        assert error_of(response)["code"] == "conflict"
        assert Settlement.objects.count() == 1

    def test_an_encounter_settled_at_the_same_moment_answers_409(self, world, monkeypatch):
        submit(world.hospital, encounter())
        # The other request stored it after this one looked: the unique encounter refuses it.
        monkeypatch.setattr(encounters.selectors, "encounter_settled", lambda mdtrt_id: False)
        again = encounter()
        again["fee_details"] = [line("OTHER-1")]

        response = submit(world.hospital, again)

        assert response.status_code == 409
        assert "already settled" in error_of(response)["message"]
        assert Settlement.objects.count() == 1
        assert not FeeLine.objects.filter(line_id="OTHER-1").exists()

    def test_fee_lines_stored_at_the_same_moment_answer_409(self, world, monkeypatch):
        submit(world.hospital, encounter())
        monkeypatch.setattr(encounters.selectors, "encounter_settled", lambda mdtrt_id: False)
        monkeypatch.setattr(encounters, "_stored_line_ids", lambda lines: set())
        again = encounter("MD0002", line("MD0001-1"))

        response = submit(world.hospital, again)

        assert response.status_code == 409
        assert "MD0002" in error_of(response)["message"]
        assert not Settlement.objects.filter(encounter_id="MD0002").exists()

    def test_a_suspended_institution_is_refused(self, world):
        Designation.objects.create(
            institution=world.qilu,
            status=Designation.Status.SUSPENDED,
            effective_from=timezone.localdate() - timedelta(days=3),
        )

        response = submit(world.hospital, encounter())

        assert response.status_code == 403
        error = error_of(response)
        assert error["code"] == "institution_not_designated"
        assert "H37010200001" in error["message"]
        assert not Settlement.objects.exists()

    def test_a_terminated_institution_is_refused(self, world):
        Designation.objects.create(
            institution=world.qilu,
            status=Designation.Status.TERMINATED,
            effective_from=timezone.localdate(),
        )

        response = submit(world.hospital, encounter())

        assert response.status_code == 403
        assert "terminated" in error_of(response)["message"]


class TestIdempotency:
    def test_a_retry_with_the_key_returns_the_first_result(self, world):
        first = submit(world.hospital, encounter(), HTTP_IDEMPOTENCY_KEY="k-1")

        retry = submit(world.hospital, encounter(), HTTP_IDEMPOTENCY_KEY="k-1")

        assert first.status_code == 201
        assert retry.status_code == 200
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert retry.json() == first.json()
        assert Settlement.objects.count() == 1

    def test_the_key_with_another_request_answers_409(self, world):
        submit(world.hospital, encounter(), HTTP_IDEMPOTENCY_KEY="k-1")

        response = submit(world.hospital, encounter("MD0002"), HTTP_IDEMPOTENCY_KEY="k-1")

        assert response.status_code == 409
        assert Settlement.objects.count() == 1

    def test_keys_are_per_institution(self, world):
        submit(world.hospital, encounter(), HTTP_IDEMPOTENCY_KEY="k-1")

        response = submit(
            world.other_hospital, encounter("MD0002", line("QD-1")), HTTP_IDEMPOTENCY_KEY="k-1"
        )

        assert response.status_code == 201
        assert response.json()["fixmedins_code"] == "H37020200001"

    def test_a_failed_request_leaves_the_key_free(self, world):
        submit(world.hospital, encounter(psn_no="nobody"), HTTP_IDEMPOTENCY_KEY="k-1")

        response = submit(world.hospital, encounter(), HTTP_IDEMPOTENCY_KEY="k-1")

        assert response.status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestConcurrentRetries:
    def test_two_requests_with_one_key_at_once_make_one_settlement(self, world):
        if connection.vendor != "postgresql" or not service_mode():
            pytest.skip("needs PostgreSQL (service mode): SQLite serialises writers anyway")
        barrier = threading.Barrier(2)
        answers: list = []

        def send() -> None:
            from tests.api.conftest import key_client

            client = key_client(world.qilu_key)
            barrier.wait()
            answers.append(submit(client, encounter(), HTTP_IDEMPOTENCY_KEY="same"))
            connection.close()

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(answer.status_code for answer in answers) == [200, 201]
        assert len({answer.json()["setl_id"] for answer in answers}) == 1
        assert Settlement.objects.count() == 1
        assert FeeLine.objects.count() == 2


class TestReadAndList:
    def test_reads_its_own_settlement(self, world):
        setl_id = submit(world.hospital, encounter()).json()["setl_id"]

        response = world.hospital.get(f"{SETTLEMENTS}{setl_id}/")

        assert response.status_code == 200
        assert response.json()["setl_id"] == setl_id
        assert len(response.json()["fee_details"]) == 2

    def test_another_institutions_settlement_is_not_found(self, world):
        setl_id = submit(world.hospital, encounter()).json()["setl_id"]

        response = world.other_hospital.get(f"{SETTLEMENTS}{setl_id}/")

        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"

    def test_lists_only_its_own_settlements_with_filters(self, world):
        submit(world.hospital, encounter("MD0001"))
        submit(world.hospital, encounter("MD0002", line("MD0002-1"), med_type="21"))
        submit(world.other_hospital, encounter("QD0001", line("QD0001-1")))

        everything = world.hospital.get(SETTLEMENTS).json()
        inpatient = world.hospital.get(SETTLEMENTS, {"med_type": "21"}).json()
        theirs = world.other_hospital.get(SETTLEMENTS).json()

        assert everything["count"] == 2
        assert [row["mdtrt_id"] for row in inpatient["results"]] == ["MD0002"]
        assert [row["mdtrt_id"] for row in theirs["results"]] == ["QD0001"]

    def test_a_bad_filter_is_a_field_error(self, world):
        response = world.hospital.get(SETTLEMENTS, {"setl_time_from": "yesterday"})

        assert response.status_code == 400
        assert "setl_time_from" in error_of(response)["fields"]


class TestReverse:
    def test_reversal_cancels_the_settlement_with_negative_amounts(self, world):
        setl_id = submit(world.hospital, encounter()).json()["setl_id"]

        response = world.hospital.post(
            f"{SETTLEMENTS}{setl_id}/reverse/", {"reason": "录入错误"}, format="json"
        )

        assert response.status_code == 201
        body = response.json()
        assert body["refd_setl_flag"] == "1"
        assert body["reverses"] == setl_id
        assert body["medfee_sumamt"] == "-49.00"
        assert body["hifp_pay"] == "-32.62"
        assert [item["cnt"] for item in body["fee_details"]] == ["-1.0000", "-3.0000"]
        original = world.hospital.get(f"{SETTLEMENTS}{setl_id}/").json()
        assert original["reversed_by"] == body["setl_id"]
        assert SettlementReversal.objects.get().reason == "录入错误"

    def test_a_second_reversal_answers_409(self, world):
        setl_id = submit(world.hospital, encounter()).json()["setl_id"]
        reversal = world.hospital.post(f"{SETTLEMENTS}{setl_id}/reverse/").json()["setl_id"]

        again = world.hospital.post(f"{SETTLEMENTS}{setl_id}/reverse/")
        of_reversal = world.hospital.post(f"{SETTLEMENTS}{reversal}/reverse/")

        assert again.status_code == 409
        assert reversal in error_of(again)["message"]
        assert of_reversal.status_code == 409
        assert Settlement.objects.count() == 2

    def test_another_institution_cannot_reverse_it(self, world):
        setl_id = submit(world.hospital, encounter()).json()["setl_id"]

        response = world.other_hospital.post(f"{SETTLEMENTS}{setl_id}/reverse/")

        assert response.status_code == 404
        assert not SettlementReversal.objects.exists()


class TestDaySurgeryAndRadiotherapy:
    """The procedure (oprn_oprt_code) and the radiotherapy course (rt_course_no) are kept and
    reach the policy: a day surgery is paid its procedure's fixed rate."""

    @pytest.fixture
    def day_surgery(self, world):
        from settlement.policy.models import DaySurgeryRate, PolicyScheme, PolicyVersion

        version = PolicyVersion.objects.get(code="SD-2026")
        PolicyScheme.objects.create(
            version=version,
            insutype="310",
            med_type="28",
            institution_level=2,
            fund_ratio=Decimal("0.90"),
        )
        DaySurgeryRate.objects.create(
            version=version,
            insutype="310",
            institution_level=2,
            code="66.8401",
            name="白内障超声乳化摘除+人工晶体植入",
            fund_amount=Decimal("30.00"),
        )

    def test_a_day_surgery_is_paid_its_procedures_fixed_rate(self, world, day_surgery):
        payload = encounter(med_type="28", oprn_oprt_code="66.8401", rt_course_no="")

        response = submit(world.hospital, payload)

        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["hifp_pay"] == "30.00"  # not 90 % of the 49.00 in scope
        assert body["oprn_oprt_code"] == "66.8401"
        assert Settlement.objects.get(setl_id=body["setl_id"]).procedure_code == "66.8401"

    def test_an_unknown_procedure_is_refused_and_nothing_stored(self, world, day_surgery):
        response = submit(world.hospital, encounter(med_type="28", oprn_oprt_code="99.9999"))

        assert response.status_code == 400
        error = error_of(response)
        assert "99.9999" in error["message"], error
        assert not Settlement.objects.exists()

    def test_the_radiotherapy_course_reaches_the_policy_claim(self, world):
        from settlement.policy.claims import claim_from_settlement

        response = submit(world.hospital, encounter(rt_course_no="RT-2026-01"))

        assert response.status_code == 201, response.json()
        assert response.json()["rt_course_no"] == "RT-2026-01"
        stored = Settlement.objects.get(setl_id=response.json()["setl_id"])
        assert claim_from_settlement(stored).radiotherapy_course == "RT-2026-01"


class TestTheSubmissionsBodyCheck:
    """encounter_input (the pre-check's fast check, trig_scen left out) is exactly
    EncounterInputSerializer: the same validated data, the same errors."""

    @staticmethod
    def _both(body):
        from rest_framework.exceptions import ValidationError

        from settlement.api.serializers import EncounterInputSerializer
        from settlement.api.views import encounter_input

        incoming = EncounterInputSerializer(data=copy.deepcopy(body))
        valid = incoming.is_valid()
        try:
            found = encounter_input(copy.deepcopy(body))
        except ValidationError as error:
            found = error.detail
        return found, incoming.validated_data if valid else incoming.errors, valid

    def test_spoilt_bodies_are_judged_alike(self):
        from tests.api.test_precheck_input import ODD_VALUES, _bodies, _exact, _paths, _set

        rng = random.Random(11)
        bodies = [_set(body, ("trig_scen",), rng.choice(ODD_VALUES)) for body in _bodies()]
        for body in _bodies():
            for path in _paths(body):
                bodies += [_set(body, path, value) for value in rng.sample(ODD_VALUES, 6)]
        accepted = 0
        for body in bodies:
            found, expected, valid = self._both(body)

            assert _exact(found) == _exact(expected), body
            accepted += valid
        assert accepted > len(bodies) // 10

    def test_a_body_that_is_no_object_is_refused_alike(self):
        for body in ([], "x", None):
            found, expected, _valid = self._both(body)

            assert found == expected

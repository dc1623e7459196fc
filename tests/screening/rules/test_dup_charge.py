import json

import pytest

from screening.rules import dup_charge
from tests.screening.frames import catalog, fee_lines

BED = "001101000010000"  # 床位费: at most one a day
DRUG = "XA01AAA000A001010101000"  # no daily limit
CATALOG = [{"med_list_codg": BED, "max_daily_cnt": 1.0}, {"med_list_codg": DRUG}]


def bed(**changes) -> dict:
    return {"med_list_codg": BED, "med_chrgitm_type": "01", "pric": 5_000, **changes}


def drug(**changes) -> dict:
    return {"med_list_codg": DRUG, "med_chrgitm_type": "09", "pric": 1_200, **changes}


def found(*rows: dict, **thresholds) -> list[dict]:
    result = dup_charge.find(
        fee_lines=fee_lines(list(rows)), catalog=catalog(CATALOG), **thresholds
    )
    return result.collect().sort("feedetl_sn").to_dicts()


class TestSameMoment:
    def test_flags_every_repeat_but_the_lowest_feedetl_sn(self):
        findings = found(drug(), drug(), drug(cnt=2.0))

        assert [f["feedetl_sn"] for f in findings] == ["F2", "F3"]
        assert [f["amount_at_risk"] for f in findings] == [1_200, 2_400]
        assert findings[0]["subject_key"] == "F2"
        assert findings[0]["sev_deg"] == 1
        assert findings[0]["dr_code"] == "D1"
        assert str(findings[0]["event_time"]) == "2025-03-10 09:00:00"

    def test_evidence_names_the_original_line(self):
        [finding] = found(drug(), drug())

        evidence = json.loads(finding["evidence"])
        assert evidence["same_moment_as"] == "F1"
        assert evidence["same_moment_time"] == "2025-03-10 09:00:00"
        assert evidence["reasons"] == ["same_moment"]
        assert evidence["pric_yuan"] == 12.0

    @pytest.mark.parametrize(
        "second",
        [
            {"fee_ocur_time": "2025-03-10 09:00:01"},  # a second later
            {"psn_no": "P2"},  # someone else
            {"fixmedins_code": "H2"},  # another institution
            {"med_list_codg": "XOTHER"},  # another item
        ],
    )
    def test_ignores_near_misses(self, second):
        assert found(drug(), drug(**second)) == []

    def test_a_refunded_repeat_is_not_a_duplicate(self):
        refund = drug(cnt=-1.0, fee_ocur_time="2025-03-10 11:00")

        assert found(drug(), drug(), refund) == []

    def test_a_refund_line_itself_is_never_a_finding(self):
        assert found(drug(cnt=-1.0), drug(cnt=-1.0)) == []

    def test_same_moment_seconds_widens_the_moment(self):
        second = drug(fee_ocur_time="2025-03-10 09:00:30")

        assert found(drug(), second, same_moment_seconds=29) == []
        [finding] = found(drug(), second, same_moment_seconds=30)
        assert finding["feedetl_sn"] == "F2"


class TestDailyLimit:
    def test_flags_the_line_that_crosses_the_limit(self):
        [finding] = found(
            bed(fee_ocur_time="2025-03-10 08:00"), bed(fee_ocur_time="2025-03-10 20:00")
        )

        assert finding["feedetl_sn"] == "F2"
        assert finding["amount_at_risk"] == 5_000
        evidence = json.loads(finding["evidence"])
        assert evidence["reasons"] == ["daily_limit"]
        assert evidence["max_daily_cnt"] == 1.0
        assert evidence["day_units"] == 2.0
        assert evidence["fee_day"] == "2025-03-10"

    def test_amount_is_the_units_beyond_the_limit(self):
        [finding] = found(bed(cnt=3.0))

        assert finding["feedetl_sn"] == "F1"
        assert finding["amount_at_risk"] == 2 * 5_000

    @pytest.mark.parametrize(
        "second",
        [
            {"fee_ocur_time": "2025-03-11 00:00"},  # just after midnight: the next day
            {"psn_no": "P2"},
            {"fixmedins_code": "H2"},
        ],
    )
    def test_ignores_near_misses(self, second):
        assert found(bed(fee_ocur_time="2025-03-10 23:59:59"), bed(**second)) == []

    def test_exactly_at_the_limit_is_allowed(self):
        assert found(bed(cnt=1.0)) == []

    def test_units_net_of_refunds(self):
        charged = [bed(fee_ocur_time="2025-03-10 08:00"), bed(fee_ocur_time="2025-03-10 20:00")]

        assert found(*charged, bed(cnt=-1.0, fee_ocur_time="2025-03-10 21:00")) == []

    def test_repeat_and_limit_on_one_line_make_one_finding(self):
        [finding] = found(bed(), bed())

        assert finding["feedetl_sn"] == "F2"
        assert json.loads(finding["evidence"])["reasons"] == ["same_moment", "daily_limit"]
        assert finding["amount_at_risk"] == 5_000

    def test_missing_catalog_row_means_no_limit(self):
        assert (
            found(
                bed(med_list_codg="UNKNOWN", fee_ocur_time="2025-03-10 08:00"),
                bed(med_list_codg="UNKNOWN", fee_ocur_time="2025-03-10 10:00"),
            )
            == []
        )

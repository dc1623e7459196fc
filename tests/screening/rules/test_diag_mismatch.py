import json

import pytest

from screening.rules import diag_mismatch
from tests.screening.frames import diagnoses, persons, settlements

MAN = {"psn_no": "P1", "gend": "1", "brdy": "1980-06-15"}
WOMAN = {"psn_no": "P1", "gend": "2", "brdy": "1980-06-15"}


def found(person: dict, settlement: dict, secondary: list[dict] | None = None) -> list[dict]:
    result = diag_mismatch.find(
        settlements=settlements([{"medfee_sumamt": 250_000, **settlement}]),
        diagnoses=diagnoses(secondary or []),
        persons=persons([person]),
    )
    return result.collect().to_dicts()


class TestFind:
    def test_flags_a_pregnancy_code_for_a_man(self):
        [finding] = found(MAN, {"dise_codg": "O80.001", "endtime": "2025-03-11 10:00"})

        assert finding["setl_id"] == "S1"
        assert finding["subject_key"] == "S1"
        assert finding["amount_at_risk"] == 250_000
        assert finding["sev_deg"] == 1
        assert str(finding["event_time"]) == "2025-03-11 10:00:00"
        assert json.loads(finding["evidence"]) == {
            "gend": "1",
            "age": 44,
            "offending": [{"diag_code": "O80.001", "range": "O00-O9A", "reason": "female_only"}],
            "admitted_at": "2025-03-10 09:00:00",
        }

    @pytest.mark.parametrize(
        ("person", "code"),
        [
            (MAN, "O9A.111"),  # the last pregnancy category
            (MAN, "n70.001"),  # lower case
            (MAN, "N98.900"),
            (MAN, "C51.900"),
            (MAN, "C58.x00"),
            (MAN, "D25.900"),
            (MAN, "D28.100"),
            (WOMAN, "N40.x00"),  # prostate
            (WOMAN, "N51.800"),
            (WOMAN, "C60.900"),
            (WOMAN, "C63.100"),
        ],
    )
    def test_flags_every_category_of_the_other_gender(self, person, code):
        assert len(found(person, {"dise_codg": code})) == 1

    @pytest.mark.parametrize(
        ("person", "code"),
        [
            (WOMAN, "O80.001"),
            (MAN, "N69.000"),  # just before the female range
            (MAN, "N99.000"),  # just after it
            (MAN, "C50.900"),  # breast: either gender
            (MAN, "D24.x00"),
            (WOMAN, "N39.000"),
            (WOMAN, "N52.000"),
            (WOMAN, "C64.x00"),
            ({**MAN, "gend": "9"}, "O80.001"),  # gender not stated
            (MAN, "Q21.000"),  # no limit at all
        ],
    )
    def test_ignores_codes_the_person_can_have(self, person, code):
        assert found(person, {"dise_codg": code}) == []

    def test_flags_a_perinatal_code_on_the_eighteenth_birthday(self):
        adult = {**MAN, "brdy": "2007-03-10"}

        [finding] = found(adult, {"dise_codg": "P07.300", "begntime": "2025-03-10 00:00"})

        evidence = json.loads(finding["evidence"])
        assert evidence["age"] == 18
        assert evidence["offending"][0]["reason"] == "age_at_most_17"

    def test_ignores_a_perinatal_code_the_day_before_the_eighteenth_birthday(self):
        minor = {**MAN, "brdy": "2007-03-11"}

        assert found(minor, {"dise_codg": "P96.800", "begntime": "2025-03-10 23:59"}) == []

    @pytest.mark.parametrize(
        ("brdy", "begntime"),
        [("2007-09-09", "2025-02-07 09:20"), ("2007-12-01", "2025-11-30 10:00")],
        ids=["february-before-a-september-birthday", "the-day-before-in-november"],
    )
    def test_ignores_a_perinatal_code_months_before_the_eighteenth_birthday(self, brdy, begntime):
        # Month × 100 overflowed an 8-bit month and made these 17-year-olds adults.
        assert found({**MAN, "brdy": brdy}, {"dise_codg": "P59.900", "begntime": begntime}) == []

    def test_ignores_a_perinatal_code_without_a_birth_date(self):
        assert found({**MAN, "brdy": None}, {"dise_codg": "P07.300"}) == []

    def test_flags_a_secondary_diagnosis_and_lists_every_offending_one(self):
        secondary = [
            {"mdtrt_id": "M1", "diag_code": "N40.x00"},
            {"mdtrt_id": "M1", "diag_code": "C53.900"},
            {"mdtrt_id": "M1", "diag_code": "I10.x00"},
            {"mdtrt_id": "M9", "diag_code": "N41.000"},  # another encounter
        ]

        [finding] = found(WOMAN, {"dise_codg": "I10.x00"}, secondary)

        offending = json.loads(finding["evidence"])["offending"]
        assert [entry["diag_code"] for entry in offending] == ["N40.x00"]

    def test_counts_a_repeated_main_diagnosis_once(self):
        secondary = [{"mdtrt_id": "M1", "diag_srt_no": 1, "diag_code": "O80.001"}]

        [finding] = found(MAN, {"dise_codg": "O80.001"}, secondary)

        assert len(json.loads(finding["evidence"])["offending"]) == 1

    @pytest.mark.parametrize(
        "changes",
        [
            {"psn_no": "P2"},  # a person not in the persons frame
            {"refd_setl_flag": True},  # a reversal
            {"dise_codg": None},  # no diagnosis
        ],
    )
    def test_ignores_settlements_it_cannot_judge(self, changes):
        assert found(MAN, {"dise_codg": "O80.001", **changes}) == []


class TestApplies:
    """What the pre-check asks before running the rule: yes wherever find finds."""

    def applies(self, settlement: dict, secondary: list[dict] | None = None) -> bool:
        frames = {
            "settlements": settlements([settlement]),
            "diagnoses": diagnoses(secondary or []),
            "persons": persons([MAN]),
        }
        return diag_mismatch.applies({name: frame.collect() for name, frame in frames.items()})

    @pytest.mark.parametrize("code", ["O80.001", "o80.001", "N40.x00", "P96.900", "C63.100"])
    def test_yes_to_a_diagnosis_in_a_bound_category(self, code):
        assert self.applies({"dise_codg": code})
        assert self.applies({"dise_codg": "J06.900"}, [{"diag_code": code}])

    @pytest.mark.parametrize("code", ["J06.900", "N39.000", "P97.000", "C64.x00", None])
    def test_no_to_diagnoses_outside_them(self, code):
        assert not self.applies({"dise_codg": code}, [{"diag_code": "I10.x00"}])

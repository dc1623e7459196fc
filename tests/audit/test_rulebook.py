from screening.audit.rulebook import evidence_facts, headline


class TestEvidenceFacts:
    def test_lists_of_records_read_as_words(self):
        facts = evidence_facts(
            {"offending": [{"diag_code": "N40.x00", "reason": "male_only"}], "gend": "2"}
        )

        assert facts == [
            ("Gender", "2"),
            ("Offending diagnoses", "Diagnosis code N40.x00，Reason male_only"),
        ]

    def test_known_reasons_and_booleans_are_words(self):
        facts = dict(evidence_facts({"reasons": ["absent_check"], "mostly_exams": True}))

        assert facts == {
            "Why": "a bed check found the patient absent",
            "Mostly examinations": "yes",
        }

    def test_a_json_string_is_read_too(self):
        assert evidence_facts('{"cnt": 2}') == [("Quantity", "2")]


def test_a_headline_needs_every_fact_it_names():
    assert headline("OVER_PRICE", {"pric_yuan": 30}) == ""
    assert headline("OVER_PRICE", {"pric_yuan": 30, "pric_uplmt_amt_yuan": 25, "cnt": 2}) == (
        "Charged 30 yuan a unit against a cap of 25 yuan, 2 units."
    )

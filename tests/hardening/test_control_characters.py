"""NUL and other control characters in otherwise valid text: a clear error, nothing stored.

PostgreSQL cannot hold NUL in text; before, such a cell failed the whole import as a database
error, and a NUL in an API URL or header answered 500. Now the batch validator names the
file, row and column; the API names the field (by its path); URLs, query strings and headers
are refused with 400 before any view runs (medins/text.py). Runs in both modes.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from medins.text import control_character
from settlement.models import ImportBatch, PrecheckRecord, Settlement
from tests.api.conftest import encounter
from tests.hardening.test_hostile_input import spoiled_batch
from tests.settlement.conftest import nothing_stored, read_rows, run_import, write_rows

pytestmark = pytest.mark.django_db
CONTROLS = [chr(code) for code in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)]
CONTROL = st.sampled_from(CONTROLS)
EXAMPLES = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# (file, column, data row): text columns of the fixture batch, codes and free text alike.
TEXT_CELLS = [
    ("persons", "psn_name", 0),
    ("institutions", "fixmedins_name", 1),
    ("settlements", "mdtrt_id", 2),
    ("fee_details", "med_list_codg", 0),
    ("diagnoses", "diag_code", 0),
]


def _spoil(value: str, control: str, position: int) -> str:
    """value with control inside it (at either end, VT and FF are stripped like spaces)."""
    at = 1 + position % max(len(value) - 1, 1)
    return value[:at] + control + value[at:]


class TestBatchCells:
    @EXAMPLES
    @given(st.sampled_from(TEXT_CELLS), CONTROL, st.integers(0, 40))
    @example(("persons", "psn_name", 0), "\x00", 1)
    def test_a_control_character_in_a_text_cell_is_named_by_file_row_and_column(
        self, cell, control, position
    ):
        name, column, row = cell
        with spoiled_batch() as batch:
            rows = read_rows(batch / f"{name}.csv")
            rows[row][column] = _spoil(rows[row][column], control, position)
            write_rows(batch / f"{name}.csv", rows)

            result = run_import(batch)

        assert result.status == ImportBatch.Status.REJECTED, result.errors
        assert nothing_stored()
        assert {
            "file": f"{name}.csv",
            "row": row + 2,  # the header is row 1
            "column": column,
            "reason": "contains a control character (such as NUL); not allowed in text",
        }.items() <= next(e for e in result.errors if e["column"] == column).items()

    def test_tab_and_newline_are_ordinary_text(self):
        with spoiled_batch() as batch:
            rows = read_rows(batch / "persons.csv")
            rows[0]["psn_name"] = "张\t三\n丰"
            write_rows(batch / "persons.csv", rows)

            result = run_import(batch)

        assert result.status == ImportBatch.Status.DONE, result.errors


API_TEXT_FIELDS = ["mdtrt_id", "psn_no", "dise_codg", "adm_dept_codg", "atddr_no"]
LINE_TEXT_FIELDS = ["feedetl_sn", "med_list_codg", "medins_list_codg", "bilg_dept_codg"]


class TestApiBodies:
    @pytest.mark.parametrize("endpoint", ["/api/v1/settlements/", "/api/v1/prechecks/"])
    @EXAMPLES
    @given(st.sampled_from(API_TEXT_FIELDS), CONTROL, st.integers(0, 20))
    @example("mdtrt_id", "\x00", 2)
    def test_a_control_character_in_an_encounter_field_is_a_400_naming_it(
        self, world, endpoint, field, control, position
    ):
        body = encounter("MD0001")
        body[field] = _spoil(body.get(field, "X"), control, position)

        response = world.hospital.post(endpoint, body, format="json")

        assert response.status_code == 400, response.content
        assert field in response.json()["error"]["fields"]
        assert not Settlement.objects.exists()
        assert not PrecheckRecord.objects.exists()

    @EXAMPLES
    @given(st.sampled_from(LINE_TEXT_FIELDS), CONTROL)
    def test_in_a_fee_line_too(self, world, field, control):
        body = encounter("MD0001")
        body["fee_details"][1][field] = "A" + control

        response = world.hospital.post("/api/v1/settlements/", body, format="json")

        assert response.status_code == 400, response.content
        assert f"fee_details[1].{field}" in response.json()["error"]["fields"]
        assert not Settlement.objects.exists()

    def test_the_message_names_the_character(self, world):
        body = encounter("MD0001", dise_codg="J06\x01")

        response = world.hospital.post("/api/v1/settlements/", body, format="json")

        assert response.json()["error"]["fields"]["dise_codg"] == [
            "Contains the control character U+0001; text may not hold control characters."
        ]


DETAIL_PATHS = [
    "/api/v1/settlements/S1{c}/",
    "/api/v1/settlements/S1{c}/reverse/",
    "/api/v1/prechecks/T{c}/",
    "/api/v1/batches/{c}/",
    "/api/v1/cases/1{c}/",
    "/api/v1/bed-checks/{c}/",
    "/api/services/persons/{c}/basic/",
    "/api/v1/settlements/?mdtrt_id=M{c}",
]


class TestRequests:
    @pytest.mark.parametrize("template", DETAIL_PATHS)
    @pytest.mark.parametrize("control", ["\x00", "\x1b"], ids=["nul", "esc"])
    def test_a_control_character_in_an_api_url_is_a_400_in_the_api_shape(
        self, world, template, control
    ):
        response = world.hospital.get(template.format(c=control))

        assert response.status_code == 400
        body = response.json()["error"]
        assert body["status"] == 400
        assert body["code"] == "invalid"
        assert "control character" in body["message"]

    @pytest.mark.parametrize(
        "path", ["/services/persons/{c}/", "/settlement/policy/versions/{c}/", "/audit/flags/{c}/"]
    )
    def test_and_in_a_back_office_url(self, client, path):
        response = client.get(path.format(c="\x00"))

        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")

    def test_a_header_splitting_request_id_is_refused(self, client):
        response = client.post(
            "/i18n/setlang/", {"language": "en"}, HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a=b"
        )

        assert response.status_code == 400
        assert "Set-Cookie" not in response

    def test_a_nul_in_the_idempotency_key_is_refused_before_it_reaches_the_database(self, world):
        response = world.hospital.post(
            "/api/v1/settlements/",
            encounter("MD0001"),
            format="json",
            HTTP_IDEMPOTENCY_KEY="key\x00one",
        )

        assert response.status_code == 400
        assert response.json()["error"]["message"] == (
            "The header Idempotency-Key contains a control character."
        )
        assert not Settlement.objects.exists()


@given(st.text(max_size=30))
def test_control_character_finds_exactly_the_forbidden_class(text):
    expected = next((c for c in text if c in CONTROLS), None)

    found = control_character(text)

    assert found == (f"U+{ord(expected):04X}" if expected else None)

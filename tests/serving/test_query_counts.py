"""The hot endpoints of the load test ask the database a bounded number of questions.

Bounds, not timings (speed is measured by benchmarks/load_bench.py): each is what the code
needs today, so a change that adds a query per request, or one per row, fails here first.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import encounter, line, world  # noqa: F401  (fixture)
from tests.factories import SettlementFactory, make_user

SETTLEMENTS = "/api/v1/settlements/"
# The credential and the designation come from the shared cache (0); the request's
# transaction, a savepoint inside the test's (2); the idempotency record, naming the
# settlement to come (1); person, encounter, catalog and stored lines (4); the policy: the
# published versions (1 here: the fixture's writes forgot the shared copy; 0 once kept), the
# person's year, certifications (2; the scheme and negotiated drugs of a published version are
# kept in the process); settlement, diagnoses, lines, breakdown and counters (none here): one
# statement on PostgreSQL, one a model elsewhere (4); the audit entry (1).
SUBMIT_QUERIES = 12 if connection.vendor == "postgresql" else 15
READ_QUERIES = 3  # the settlement with its links and breakdown, its diagnoses, its lines
LIST_QUERIES = 1  # one page of settlements: a first page with room to spare counts itself
FULL_LIST_QUERIES = 2  # the count for the pages; one page of settlements
FLAG_QUERIES = 1  # one page of flags with their cases: a short first page counts itself


def _submit(client, number: str, **headers):
    payload = encounter(number, line(f"{number}-1"), line(f"{number}-2", cnt="2"))
    return client.post(SETTLEMENTS, payload, format="json", **headers)


def test_a_submission_asks_a_fixed_number_of_questions(world, django_assert_max_num_queries):  # noqa: F811
    _submit(world.hospital, "MDWARM")  # the credential's last use is recorded once a minute

    with django_assert_max_num_queries(SUBMIT_QUERIES):
        response = _submit(world.hospital, "MD0001", HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 201


def test_a_submission_is_answered_as_a_read_of_it_answers(world):  # noqa: F811
    created = _submit(world.hospital, "MD0001").json()

    read = world.hospital.get(f"{SETTLEMENTS}{created['setl_id']}/").json()

    assert created == read


def test_a_replayed_submission_answers_the_first_result(world):  # noqa: F811
    first = _submit(world.hospital, "MD0001", HTTP_IDEMPOTENCY_KEY="k-1").json()

    again = _submit(world.hospital, "MD0001", HTTP_IDEMPOTENCY_KEY="k-1")

    assert again.status_code == 200
    assert again.json() == first


def test_reading_a_settlement_asks_the_same_however_many_lines_it_has(
    world,  # noqa: F811
    django_assert_max_num_queries,
):
    lines = [line(f"MD0001-{n}") for n in range(1, 9)]
    setl_id = world.hospital.post(SETTLEMENTS, encounter("MD0001", *lines), format="json").json()[
        "setl_id"
    ]
    world.hospital.get(SETTLEMENTS)  # the credential's last use is recorded once a minute

    with django_assert_max_num_queries(READ_QUERIES):
        response = world.hospital.get(f"{SETTLEMENTS}{setl_id}/")

    assert len(response.json()["fee_details"]) == 8


def test_the_list_asks_the_same_however_many_settlements_it_shows(
    world,  # noqa: F811
    django_assert_max_num_queries,
):
    for number in range(6):
        _submit(world.hospital, f"MD{number:04d}")

    with django_assert_max_num_queries(LIST_QUERIES):
        response = world.hospital.get(SETTLEMENTS)

    assert response.json()["count"] == 6


def test_a_full_first_page_is_counted_for_the_page_links(world, django_assert_max_num_queries):  # noqa: F811
    SettlementFactory.create_batch(51, institution=world.qilu, person=world.person)
    world.hospital.get(SETTLEMENTS)  # the credential's last use is recorded once a minute

    with django_assert_max_num_queries(FULL_LIST_QUERIES):
        response = world.hospital.get(SETTLEMENTS)

    assert (response.json()["count"], len(response.json()["results"])) == (51, 50)


def test_the_flag_list_asks_one_question_for_a_page_with_room_to_spare(
    world,  # noqa: F811
    django_assert_max_num_queries,
):
    from tests.audit.conftest import make_flag

    for rule_code in ("OVER_PRICE", "DUP_CHARGE", "OVER_QTY"):
        make_flag(world.qilu, rule_code=rule_code)
    world.hospital.get(SETTLEMENTS)  # the credential's last use is recorded once a minute

    with django_assert_max_num_queries(FLAG_QUERIES):
        response = world.hospital.get("/api/v1/flags/")

    assert response.json()["count"] == 3


def test_a_back_office_page_reads_the_user_and_the_role_in_one_query(client, db):
    client.force_login(make_user("auditor", region_code="3701"))
    client.get("/audit/cases/")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/audit/cases/")

    assert response.status_code == 200
    users = [q["sql"] for q in queries if 'FROM "auth_user"' in q["sql"]]
    assert len(users) == 1
    assert "medins_userprofile" in users[0]
    assert not [q for q in queries if q["sql"].startswith('SELECT "medins_userprofile"')]


def test_coverage_asks_the_same_for_one_county_as_for_several(db, django_assert_num_queries):
    from services.models import Village
    from services.network import coverage_by_county
    from tests.factories import DivisionFactory, PersonFactory

    counties = [DivisionFactory(code=f"37010{n}", name=f"区{n}") for n in range(2, 5)]
    for county in counties:
        Village.objects.create(code=f"{county.code}001001", name="村", county=county,
                               town_name="镇", longitude="117.06", latitude="36.66")  # fmt: skip
        PersonFactory(division_code=county.code)
    PersonFactory(division_code="370102001")  # a township's code begins with its county's

    # Stations (2), villages, insured persons: whatever the number of counties.
    with django_assert_num_queries(4):
        coverage_by_county(counties=counties[:1])
    with django_assert_num_queries(4):
        rows = coverage_by_county(counties=counties)

    assert [(row.villages, row.insured) for row in rows] == [(1, 2), (1, 1), (1, 1)]


class TestFiguresCountedOncePerScope:
    """The home page's and the audit dashboard's figures are counted once a minute per scope
    (role and region or institution) and language, and say when they were counted."""

    def _counts(self, queries) -> list[str]:
        return [q["sql"] for q in queries if "COUNT(" in q["sql"]]

    def test_a_second_user_of_the_same_scope_reads_the_figures_counted_for_the_first(
        self, cast, client
    ):
        client.force_login(cast.jinan_auditor)
        first = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
        colleague = make_user("auditor", region_code="3701")
        client.force_login(colleague)

        with CaptureQueriesContext(connection) as queries:
            second = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

        assert self._counts(queries) == []
        assert second.context["figures"] == first.context["figures"]
        assert "Figures as of" in second.content.decode()

    def test_another_scope_is_counted_for_itself(self, cast, client):
        SettlementFactory(institution=cast.qingdao)
        client.force_login(cast.jinan_auditor)
        jinan = dict(client.get("/", HTTP_ACCEPT_LANGUAGE="en").context["figures"])
        client.force_login(cast.qingdao_auditor)

        with CaptureQueriesContext(connection) as queries:
            qingdao = dict(client.get("/", HTTP_ACCEPT_LANGUAGE="en").context["figures"])

        assert self._counts(queries)
        assert (jinan["Settlements"], qingdao["Settlements"]) == (0, 1)

    def test_the_dashboard_is_drawn_once_per_scope(self, cast, client):
        client.force_login(cast.jinan_auditor)
        client.get("/audit/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(cast.jinan_supervisor)  # another role: its own figures
        client.get("/audit/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(make_user("auditor", region_code="3701"))

        with CaptureQueriesContext(connection) as queries:
            response = client.get("/audit/dashboard/", HTTP_ACCEPT_LANGUAGE="en")

        assert response.status_code == 200
        assert not [q for q in queries if "screening_flag" in q["sql"]]
        assert "Figures as of" in response.content.decode()

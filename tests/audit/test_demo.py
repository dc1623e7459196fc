from io import StringIO

from django.core.management import call_command

from screening.audit.demo import DEMO_TITLE, demo_seed
from screening.audit.models import Case, CaseState, InvestigationStep
from tests.audit.conftest import make_flag
from tests.factories import InstitutionFactory, SettlementFactory


def test_it_seeds_one_case_in_progress_and_is_idempotent(db):
    hospital = InstitutionFactory(code="H37010200001", division_code="370102")
    for score in (10.0, 20.0):
        make_flag(hospital, triage_score=score)
    SettlementFactory(institution=hospital, medical_type="21")
    call_command("create_demo_users", stdout=StringIO(), stderr=StringIO())

    demo_seed(stdout=StringIO())
    demo_seed(stdout=StringIO())

    case = Case.objects.get()
    assert case.title == DEMO_TITLE
    assert case.state == CaseState.INVESTIGATING
    assert case.case_flags.count() == 2
    assert case.steps.filter(kind=InvestigationStep.Kind.BED_CHECK).exists()


def test_without_flags_it_says_so(db):
    call_command("create_demo_users", stdout=StringIO(), stderr=StringIO())
    out = StringIO()

    demo_seed(stdout=out)

    assert "queue is empty" in out.getvalue()
    assert not Case.objects.exists()

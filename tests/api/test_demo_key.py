"""The demo prints a working API key for the demo hospital, and only one key stays active."""

import io

from settlement.api.credentials import api_credential_for_key
from settlement.demo import DEMO_CLIENT, _api_key
from settlement.models import ApiCredential
from tests.factories import InstitutionFactory, UserProfileFactory


def _printed_key(output: str) -> str:
    line = next(line for line in output.splitlines() if "hospital API key" in line)
    return line.rsplit(" ", 1)[-1]


def test_the_printed_key_authenticates_and_a_rerun_replaces_it(db):
    institution = InstitutionFactory()
    UserProfileFactory(user__username="hospital", role="hospital", institution=institution)

    first, second = io.StringIO(), io.StringIO()
    _api_key(first)
    _api_key(second)

    old, new = _printed_key(first.getvalue()), _printed_key(second.getvalue())
    assert api_credential_for_key(key=old) is None
    assert api_credential_for_key(key=new).institution == institution
    active = ApiCredential.objects.filter(name=DEMO_CLIENT, revoked_at__isnull=True)
    assert active.count() == 1


def test_no_key_without_a_demo_hospital(db):
    output = io.StringIO()

    _api_key(output)

    assert output.getvalue() == ""
    assert not ApiCredential.objects.exists()

"""Masking filters and the reveal service: only some roles, never hospitals, always logged."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from medins.models import RevealLog
from medins.reveal import RevealRefused, person_reveal
from tests.factories import PersonFactory, SettlementFactory

AT = datetime(2026, 3, 2, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # midnight in Shanghai


def render(source, **context):
    return Template("{% load masking %}" + source).render(Context(context))


class TestMaskingFilters:
    def test_masked_certno_hides_birth_date_and_sequence(self):
        assert render("{{ c|masked_certno }}", c="37010219700517001X") == "370102********001X"

    def test_masked_name_keeps_the_family_name(self):
        assert render("{{ n|masked_name }}", n="张三丰") == "张**"

    @pytest.mark.parametrize("value", ["", None])
    def test_empty_values_stay_empty(self, value):
        assert render("{{ v|masked_certno }}{{ v|masked_name }}", v=value) == ""


@pytest.fixture(autouse=True)
def _english():
    """Refusal messages are matched in English, whatever an earlier test activated."""
    with translation.override("en"):
        yield


@pytest.fixture
def lixia_person(cast):
    return PersonFactory(division_code="370102", name="李四")


class TestPersonReveal:
    @pytest.mark.parametrize("who", ["admin", "jinan_auditor", "jinan_supervisor", "lixia_clerk"])
    def test_allowed_roles_see_the_value_and_leave_a_log_row(self, cast, lixia_person, who):
        user = getattr(cast, who)

        revealed = person_reveal(
            user=user, person=lixia_person, fields=["certno", "name"], context="home", at=AT
        )

        assert revealed == {"certno": lixia_person.certno, "name": "李四"}
        log = RevealLog.objects.get()
        assert (log.user, log.person, log.fields, log.context) == (
            user,
            lixia_person,
            "certno,name",
            "home",
        )
        assert log.revealed_at == AT

    def test_a_hospital_client_is_refused_even_for_its_own_patient(self, cast, lixia_person):
        SettlementFactory(person=lixia_person, institution=cast.qilu)

        with pytest.raises(RevealRefused, match="role"):
            person_reveal(
                user=cast.qilu_hospital, person=lixia_person, fields=["name"], context="", at=AT
            )
        assert not RevealLog.objects.exists()

    def test_a_manager_is_refused(self, cast, lixia_person):
        with pytest.raises(RevealRefused):
            person_reveal(
                user=cast.jinan_manager, person=lixia_person, fields=["name"], context="", at=AT
            )

    def test_an_auditor_of_another_region_is_refused(self, cast, lixia_person):
        with pytest.raises(RevealRefused, match=lixia_person.psn_no):
            person_reveal(
                user=cast.qingdao_auditor, person=lixia_person, fields=["name"], context="", at=AT
            )
        assert not RevealLog.objects.exists()

    def test_an_unknown_field_is_refused_by_name(self, cast, lixia_person):
        with pytest.raises(RevealRefused, match="birth_date"):
            person_reveal(
                user=cast.admin, person=lixia_person, fields=["birth_date"], context="", at=AT
            )
        assert not RevealLog.objects.exists()


class TestPersonRevealView:
    def url(self, person):
        return reverse("person-reveal", args=[person.pk])

    def test_an_auditor_gets_the_value_and_a_log_row(self, client, cast, lixia_person):
        client.force_login(cast.jinan_auditor)

        response = client.post(
            self.url(lixia_person), {"field": "certno", "context": "home"}, HTTP_HX_REQUEST="true"
        )

        assert response.status_code == 200
        assert response.content.decode().strip() == (
            f'<span class="revealed">{lixia_person.certno}</span>'
        )
        assert RevealLog.objects.get().fields == "certno"

    def test_a_hospital_client_gets_403_and_no_value(self, client, cast, lixia_person):
        SettlementFactory(person=lixia_person, institution=cast.qilu)
        client.force_login(cast.qilu_hospital)

        response = client.post(self.url(lixia_person), {"field": "name"})

        assert response.status_code == 403
        assert "李四" not in response.content.decode()
        assert not RevealLog.objects.exists()

    def test_a_person_outside_the_region_is_404(self, client, cast, lixia_person):
        client.force_login(cast.qingdao_auditor)

        response = client.post(self.url(lixia_person), {"field": "name"})

        assert response.status_code == 404
        assert not RevealLog.objects.exists()

    def test_get_is_not_allowed(self, client, cast, lixia_person):
        client.force_login(cast.jinan_auditor)

        assert client.get(self.url(lixia_person)).status_code == 405

    def test_anonymous_visitors_are_sent_to_login(self, client, lixia_person):
        response = client.post(self.url(lixia_person), {"field": "name"})

        assert response.status_code == 302
        assert not RevealLog.objects.exists()

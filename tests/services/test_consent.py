"""Personal-data grants and the third-party API: only within a valid grant, every use logged."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from services.actions import ServiceError
from services.actions.consent import grant_create, grant_revoke, third_party_register
from services.models import ConsentUse, DataCategory
from tests.services.conftest import at


@pytest.fixture
def party(net):
    for code, name, level in (
        ("basic", "基本身份信息", 2),
        ("chronic", "门诊慢特病认定", 3),
        ("settlements", "就医结算记录", 3),
    ):
        # The data migration made them, unless a transactional test flushed the tables since.
        DataCategory.objects.get_or_create(code=code, defaults={"name": name, "sensitivity": level})
    return third_party_register(name="某商业保险公司")


def grant(net, party, mode, **extra):
    return grant_create(
        user=net.clerk,
        person=net.person,
        third_party=party[0],
        categories=DataCategory.objects.filter(code__in=["basic", "chronic"]),
        mode=mode,
        purpose="商业健康险核保",
        at=at(2026, 3, 2, 9),
        **extra,
    )


def ask(party, psn_no, category):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {party[1]}")
    return client.get(reverse("services:api-person-data", args=[psn_no, category]))


class TestThirdPartyQueries:
    def test_a_once_grant_answers_one_query_then_refuses(self, net, party):
        grant(net, party, "once")

        first = ask(party, net.person.psn_no, "basic")
        second = ask(party, net.person.psn_no, "basic")

        assert first.status_code == 200
        assert first.json()["data"]["psn_name"] == "李四"
        assert second.status_code == 403
        assert list(ConsentUse.objects.values_list("allowed", flat=True).order_by("pk")) == [
            True,
            False,
        ]

    def test_a_category_not_granted_is_refused_and_logged(self, net, party):
        grant(net, party, "count", max_uses=5)

        response = ask(party, net.person.psn_no, "settlements")

        assert response.status_code == 403
        assert ConsentUse.objects.get().category == "settlements"

    def test_a_revoked_grant_answers_nothing(self, net, party):
        made = grant(net, party, "until", valid_until=date(2099, 1, 1))
        grant_revoke(user=net.clerk, grant=made, at=at(2026, 3, 3))

        assert ask(party, net.person.psn_no, "chronic").status_code == 403

    def test_an_unknown_token_is_unauthorised(self, net, party):
        grant(net, party, "once")

        response = ask((None, "not-a-token"), net.person.psn_no, "basic")

        assert response.status_code == 401
        assert not ConsentUse.objects.exists()

    def test_count_and_until_grants_need_their_limit(self, net, party):
        with pytest.raises(ServiceError, match="number of queries"):
            grant(net, party, "count")
        with pytest.raises(ServiceError, match="last valid day"):
            grant(net, party, "until", valid_until=date(2020, 1, 1))

    def test_the_window_shows_the_persons_log(self, client, net, party):
        grant(net, party, "once")
        ask(party, net.person.psn_no, "basic")
        client.force_login(net.clerk)

        response = client.get(reverse("services:person", args=[net.person.psn_no]))

        assert "某商业保险公司" in response.content.decode()
        assert len(response.context["uses"]) == 1


def test_a_grant_made_at_the_window_then_revoked(client, net, party):
    client.force_login(net.clerk)
    url = reverse("services:grant", args=[net.person.psn_no])

    bad = client.post(url, {"third_party": "x", "mode": "once"}, follow=True)
    client.post(
        url,
        {
            "third_party": party[0].pk,
            "categories": ["basic"],
            "mode": "count",
            "max_uses": "3",
            "purpose": "核保",
        },
    )
    made = net.person.consent_grants.get()
    client.post(reverse("services:grant-revoke", args=[net.person.psn_no, made.pk]))

    assert "请选择第三方" in bad.content.decode()
    made.refresh_from_db()
    assert (made.max_uses, made.revoked_at is not None) == (3, True)

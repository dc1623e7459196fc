import pytest
from django.urls import reverse

from settlement.policy.models import PolicyScheme, PolicyVersion


@pytest.fixture
def admin_client(client, policy_admin):
    policy_admin.is_staff = policy_admin.is_superuser = True
    policy_admin.save()
    client.force_login(policy_admin)
    return client


class TestPolicyVersionAdmin:
    def test_a_published_version_is_shown_but_not_changed(self, admin_client, shandong):
        url = reverse("admin:policy_policyversion_change", args=[shandong.pk])

        page = admin_client.get(url)
        response = admin_client.post(url, {"code": "CHANGED", "title": "x"})

        assert page.status_code == 200
        assert 'name="code"' not in page.text
        assert response.status_code == 403
        shandong.refresh_from_db()
        assert shandong.code == "SD-2026.1"

    def test_revising_makes_a_draft_by_the_admin_that_can_be_edited(
        self, admin_client, shandong, policy_admin
    ):
        admin_client.post(
            reverse("admin:policy_policyversion_changelist"),
            {"action": "revise", "_selected_action": [shandong.pk]},
        )

        draft = PolicyVersion.objects.get(code="SD-2026.1-r2")
        page = admin_client.get(reverse("admin:policy_policyversion_change", args=[draft.pk]))
        assert draft.created_by == policy_admin
        assert draft.status == PolicyVersion.Status.DRAFT
        assert PolicyScheme.objects.filter(version=draft).count() == 42
        assert 'name="code"' in page.text

    def test_publishing_a_draft_from_the_list(self, admin_client, shandong, policy_admin):
        admin_client.post(
            reverse("admin:policy_policyversion_changelist"),
            {"action": "revise", "_selected_action": [shandong.pk]},
        )
        draft = PolicyVersion.objects.get(code="SD-2026.1-r2")

        admin_client.post(
            reverse("admin:policy_policyversion_changelist"),
            {"action": "publish", "_selected_action": [draft.pk]},
        )

        draft.refresh_from_db()
        assert draft.is_published
        assert draft.published_by == policy_admin


class TestSchemeConstraints:
    def test_a_share_above_one_is_refused_with_a_reason(self, shandong):
        from django.core.exceptions import ValidationError

        scheme = PolicyScheme.objects.filter(version=shandong).first()
        scheme.class_b_self_ratio = "1.5"

        with pytest.raises(ValidationError, match="fractions between 0 and 1"):
            scheme.full_clean()

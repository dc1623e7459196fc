"""Demo data of the settlement policy: the Shandong policy set, a retroactive revision, a refund.

Idempotent: each piece is made only when it is missing.
"""

from __future__ import annotations

from datetime import date
from typing import TextIO

from django.contrib.auth import get_user_model
from django.db.models import Min
from django.utils import timezone

from medins.models import UserProfile
from settlement.api.credentials import api_credential_issue, api_credential_rotate
from settlement.models import ApiCredential, Settlement
from settlement.policy.catalogue import shandong_version_create
from settlement.policy.models import PolicyScheme, PolicyVersion, RefundRun
from settlement.policy.refunds import RefundError, refund_run_compute
from settlement.policy.services import policy_version_publish, policy_version_revise

BASE_CODE = "SD-2025.1"
REVISION_CODE = "SD-2025.2"
EFFECTIVE_FROM = date(2025, 1, 1)
DIALYSIS_FROM = date(2025, 2, 1)
RESIDENT_LEVEL3_SHARE = "0.65"
DEMO_CLIENT = "演示 HIS"


def _base(admin) -> PolicyVersion:
    version = PolicyVersion.objects.filter(code=BASE_CODE).first()
    if version is None:
        version = shandong_version_create(
            code=BASE_CODE,
            title="山东省基本医疗保险待遇政策（2025）",
            effective_from=EFFECTIVE_FROM,
            author=admin,
        )
    if not version.is_published:
        version = policy_version_publish(version=version, user=admin)
    return version


def _revision(admin, base: PolicyVersion) -> PolicyVersion:
    version = PolicyVersion.objects.filter(code=REVISION_CODE).first()
    if version is None:
        version = policy_version_revise(
            version=base,
            author=admin,
            code=REVISION_CODE,
            title="山东省基本医疗保险待遇政策（2025 调整）",
            effective_from=EFFECTIVE_FROM,
            note=(
                "城乡居民三级医院住院报销比例由 60% 提高到 65%，自 2025-01-01 起追溯执行；"
                "透析患者自 2025-02-01 起取消乙类先行自付。"
            ),
        )
        PolicyScheme.objects.filter(
            version=version, insutype="390", med_type__in=("21", "22"), institution_level=3
        ).update(fund_ratio=RESIDENT_LEVEL3_SHARE)
        version.dialysis_no_class_b_from = DIALYSIS_FROM
        version.save(update_fields=["dialysis_no_class_b_from"])
    if not version.is_published:
        version = policy_version_publish(version=version, user=admin)
    return version


def _refund(admin, revision: PolicyVersion, stdout: TextIO) -> None:
    if RefundRun.objects.filter(version=revision).exists():
        return
    hospital = (
        Settlement.objects.filter(
            insurance_type="390", medical_type="21", institution__hospital_grade__in=("01", "02")
        )
        .values("institution_id")
        .annotate(first=Min("end_time"))
        .order_by("institution_id")
        .first()
    )
    if hospital is None:
        stdout.write("No resident inpatient settlements at a grade-3 hospital: no refund run.\n")
        return
    try:
        run = refund_run_compute(
            version=revision,
            period_from=date(2025, 1, 1),
            period_to=date(2025, 2, 1),
            institution_code=hospital["institution_id"],
            user=admin,
        )
    except RefundError as error:  # the demo goes on without a run, and says why
        stdout.write(f"No demo refund run: {error}\n")
        return
    stdout.write(
        f"Refund run #{run.pk}: {run.settlement_count} settlements recomputed, "
        f"{run.lines.count()} changed, refunds {run.refund_total} yuan (awaiting approval).\n"
    )


def demo_seed(*, stdout: TextIO) -> None:
    """The Shandong policy set (published), its retroactive revision and one refund run."""
    admin = get_user_model().objects.filter(username="admin").first()
    base = _base(admin)
    revision = _revision(admin, base)
    _refund(admin, revision, stdout)
    stdout.write(f"Settlement policy: {base.code} and {revision.code} published.\n")
    _api_key(stdout)


def _api_key(stdout: TextIO) -> None:
    """One working key for the demo hospital's system, printed (keys are stored hashed, so a
    later demo run rotates it to print a fresh one)."""
    profile = UserProfile.objects.filter(user__username="hospital").select_related("institution")
    institution = getattr(profile.first(), "institution", None)
    if institution is None:
        return
    current = ApiCredential.objects.filter(
        institution=institution, name=DEMO_CLIENT, revoked_at__isnull=True
    ).first()
    if current is None:
        issued = api_credential_issue(institution=institution, name=DEMO_CLIENT)
    else:
        issued = api_credential_rotate(credential=current, at=timezone.now())
    stdout.write(
        f"  hospital API key for {institution.code} (DEMO ONLY): {issued.key}\n"
        "  e.g. curl -H 'Authorization: Bearer <key>' http://127.0.0.1:8000/api/v1/settlements/\n"
    )

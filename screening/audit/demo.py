"""Demo data of the audit back office: a case in progress in the demo auditor's queue.

Called by `manage.py demo` after the demo logins exist; running it again changes nothing."""

from __future__ import annotations

from typing import TextIO

from django.contrib.auth.models import User
from django.utils import timezone

from screening.audit import selectors, services
from screening.audit.models import Case
from screening.models import Flag
from settlement.models import Settlement

DEMO_TITLE = "演示案件：超标准收费"  # marks the seeded case, so a second run finds it


def demo_seed(*, stdout: TextIO) -> None:
    auditor = User.objects.filter(username="auditor").first()
    if auditor is None:
        stdout.write("audit demo: no demo auditor yet; nothing seeded.\n")
        return
    if Case.objects.filter(title=DEMO_TITLE).exists():
        stdout.write("audit demo: the demo case exists already.\n")
        return
    queue = selectors.flags_visible_to(auditor).filter(status=Flag.Status.OPEN)
    top = queue.exclude(setl_id="").order_by("-triage_score", "flag_id").first()
    if top is None:
        stdout.write("audit demo: the auditor's queue is empty (no screening yet).\n")
        return
    same_place = queue.filter(fixmedins_code=top.fixmedins_code, rule_code=top.rule_code)
    flag_ids = list(
        same_place.order_by("-triage_score", "flag_id").values_list("pk", flat=True)[:3]
    )
    now = timezone.now()
    case = services.case_open(user=auditor, flag_ids=flag_ids, title=DEMO_TITLE, at=now)
    services.case_assign(user=auditor, case_id=case.pk, assignee=auditor, at=now)
    services.case_transition(
        user=auditor, case_id=case.pk, name="start", at=now, note="演示：开始调查"
    )
    services.case_comment(
        user=auditor, case_id=case.pk, at=now, text="演示：请核对收费明细与价格标准。"
    )
    stay = (
        Settlement.objects.filter(institution_id=top.fixmedins_code, medical_type__startswith="2")
        .order_by("-begin_time")
        .first()
    )
    if stay is not None:
        services.bed_check_issue(
            user=auditor,
            setl_id=stay.pk,
            case_id=case.pk,
            at=now,
            instructions="演示：请核对患者是否在床",
        )
    stdout.write(
        f"audit demo: case #{case.pk} under investigation with {len(flag_ids)} flags; "
        f"{queue.count()} open flags in the auditor's queue.\n"
    )

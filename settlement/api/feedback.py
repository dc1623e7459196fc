"""3103 事前事中服务反馈: the hospital's answer to each pre-check warning, recorded once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from medins.models import Institution
from settlement.api.exceptions import Conflict, FieldErrors
from settlement.models import ApiCredential, PrecheckAnswer, PrecheckViolation


def precheck_answer(
    *,
    institution: Institution,
    warn_type: str,
    warns: list[dict[str, Any]],
    credential: ApiCredential | None,
    at: datetime,
) -> list[PrecheckAnswer]:
    """Record every answer or none: unknown results are field errors, answered ones 409."""
    ids = [warn["warn_rslt_id"] for warn in warns]
    with transaction.atomic():
        violations = {
            violation.jr_id: violation
            for violation in PrecheckViolation.objects.select_for_update(of=("self",))
            .filter(jr_id__in=ids, precheck__institution=institution)
            .select_related("answer")
        }
        errors = [
            {}
            if warn["warn_rslt_id"] in violations
            else {"warn_rslt_id": [_("No pre-check result %(id)s.") % {"id": warn["warn_rslt_id"]}]}
            for warn in warns
        ]
        if len(set(ids)) != len(ids):
            errors.append({"warn_rslt_id": [_("Answer each result once.")]})
        if any(errors):
            raise FieldErrors({"warns": errors})
        answered = [jr_id for jr_id in ids if hasattr(violations[jr_id], "answer")]
        if answered:
            raise Conflict(_("Already answered: %(ids)s.") % {"ids": ", ".join(sorted(answered))})
        return PrecheckAnswer.objects.bulk_create(
            PrecheckAnswer(
                violation=violations[warn["warn_rslt_id"]],
                warn_type=warn_type,
                way=warn["dspo_way"],
                reason=warn.get("dspo_way_rea", ""),
                answered_at=at,
                credential=credential,
            )
            for warn in warns
        )

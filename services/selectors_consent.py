"""Reads of personal-data authorization: a person's grants and the log of their uses."""

from __future__ import annotations

from django.utils import timezone

from medins.models import Person
from services.models import ConsentGrant, ConsentUse, DataCategory, ThirdParty


def grant_state(grant: ConsentGrant, *, day) -> str:
    """ "revoked", "used up", "expired" or "valid" on the day."""
    if grant.revoked_at is not None:
        return "revoked"
    if grant.max_uses is not None and grant.uses >= grant.max_uses:
        return "used up"
    if grant.valid_until is not None and grant.valid_until < day:
        return "expired"
    return "valid"


def consent_overview(*, person: Person) -> dict:
    """What the window shows: grants with their state, the last uses, what may be granted."""
    day = timezone.localdate()
    grants = list(
        ConsentGrant.objects.filter(person=person)
        .select_related("third_party")
        .prefetch_related("categories")
    )
    for grant in grants:
        grant.state = grant_state(grant, day=day)
    return {
        "grants": grants,
        "uses": ConsentUse.objects.filter(person=person).select_related("third_party")[:50],
        "categories": DataCategory.objects.all(),
        "third_parties": ThirdParty.objects.filter(active=True),
    }


def third_party_by_token(digest: str) -> ThirdParty | None:
    return ThirdParty.objects.filter(token_sha256=digest, active=True).first()

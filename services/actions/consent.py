"""个人信息授权: grant and revoke a third party's access; answer its queries within a grant.

Every query, answered or refused, leaves one ConsentUse row in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from medins.models import Person
from medins.selectors import persons_visible_to
from services.actions import ServiceError
from services.models import ConsentGrant, ConsentUse, DataCategory, ThirdParty


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic(durable=True)
def third_party_register(*, name: str, credit_code: str = "") -> tuple[ThirdParty, str]:
    """A third party and its API token; the token is returned once and only its digest kept."""
    if not name.strip():
        raise ServiceError(_("Name the third party."))
    token = secrets.token_urlsafe(32)
    party = ThirdParty.objects.create(
        name=name.strip(), credit_code=credit_code.strip(), token_sha256=token_digest(token)
    )
    return party, token


@transaction.atomic(durable=True)
def grant_create(
    *,
    user: AbstractBaseUser,
    person: Person,
    third_party: ThirdParty,
    categories: Iterable[DataCategory],
    mode: str,
    purpose: str,
    at: datetime,
    max_uses: int | None = None,
    valid_until: date | None = None,
) -> ConsentGrant:
    """Record the person's grant, made at the window; raises ServiceError naming what is wrong."""
    if not persons_visible_to(user).filter(pk=person.pk).exists():
        raise ServiceError(_("Person %(psn_no)s is outside your area.") % {"psn_no": person.pk})
    categories = list(categories)
    if not categories:
        raise ServiceError(_("Choose at least one data category."))
    if mode not in ConsentGrant.Mode.values:
        raise ServiceError(_("Choose once, a number of queries, or until a date."))
    if mode == ConsentGrant.Mode.COUNT and not (max_uses and max_uses >= 1):
        raise ServiceError(_("Give the number of queries allowed (at least 1)."))
    if mode == ConsentGrant.Mode.UNTIL and (valid_until is None or valid_until < at.date()):
        raise ServiceError(_("Give a last valid day that is not in the past."))
    if not purpose.strip():
        raise ServiceError(_("Say what the data is for."))
    grant = ConsentGrant.objects.create(
        person=person,
        third_party=third_party,
        mode=mode,
        max_uses=1 if mode == ConsentGrant.Mode.ONCE else max_uses,
        valid_until=valid_until if mode == ConsentGrant.Mode.UNTIL else None,
        purpose=purpose.strip()[:200],
        granted_at=at,
        recorded_by=user,
    )
    grant.categories.set(categories)
    return grant


@transaction.atomic(durable=True)
def grant_revoke(*, user: AbstractBaseUser, grant: ConsentGrant, at: datetime) -> ConsentGrant:
    """Revoke at once; later queries under it are refused."""
    if not persons_visible_to(user).filter(pk=grant.person_id).exists():
        raise ServiceError(
            _("Person %(psn_no)s is outside your area.") % {"psn_no": grant.person_id}
        )
    if not ConsentGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(revoked_at=at):
        raise ServiceError(_("This grant was already revoked."))
    grant.refresh_from_db()
    return grant


def _usable(*, third_party: ThirdParty, person: Person, category: str, at: datetime):
    day = timezone.localtime(at).date()
    return (
        ConsentGrant.objects.select_for_update()
        .filter(
            person=person, third_party=third_party, categories=category, revoked_at__isnull=True
        )
        .filter(Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .order_by("granted_at")
        .first()
    )


@transaction.atomic(durable=True)
def consent_use(
    *, third_party: ThirdParty, person: Person, category: str, at: datetime
) -> ConsentGrant | None:
    """Spend one use of a valid grant for the category and log it; None (logged) if none."""
    grant = _usable(third_party=third_party, person=person, category=category, at=at)
    if grant is not None:
        ConsentGrant.objects.filter(pk=grant.pk).update(uses=F("uses") + 1)
    ConsentUse.objects.create(
        third_party=third_party,
        person=person,
        category=category,
        grant=grant,
        allowed=grant is not None,
        reason="" if grant else "no valid grant",
        at=at,
    )
    return grant

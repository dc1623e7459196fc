"""Writes and reads of API credentials: issue, rotate, revoke, authenticate.

A key is `mk_<prefix>_<secret>`: the prefix finds the row, the secret's SHA-256 is compared in
constant time. Keys are long random strings, so a fast hash is enough (no password stretching),
and authenticating stays well under a millisecond.

Every API request authenticates, so the active credential (with its institution) is kept in
the shared cache for CACHED_FOR seconds by its prefix; rotating, revoking and changing a
credential forget that copy at once (medins.cache.forget), so they take effect on the next
request. Only while Redis cannot be reached at the moment of the change can a copy outlive
it, by CACHED_FOR at most.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from medins.cache import forget, remembered
from medins.models import Institution
from settlement.models import ApiCredential

KEY_PREFIX = "mk_"
CACHED_FOR = 60  # seconds
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    credential: ApiCredential
    key: str  # shown once; never stored


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def api_credential_issue(*, institution: Institution, name: str, rate: str = "") -> IssuedKey:
    """A new active credential for the institution; the returned key is its only copy."""
    prefix, key = _new_key()
    credential = ApiCredential.objects.create(
        institution=institution, name=name, prefix=prefix, key_hash=_hash(key), rate=rate
    )
    return IssuedKey(credential=credential, key=key)


@transaction.atomic
def api_credential_rotate(*, credential: ApiCredential, at: datetime) -> IssuedKey:
    """Issue a replacement (same institution, name and rate) and revoke the old key."""
    old = ApiCredential.objects.select_for_update().get(pk=credential.pk)
    issued = api_credential_issue(institution=old.institution, name=old.name, rate=old.rate)
    old.revoked_at = old.revoked_at or at
    old.replaced_by = issued.credential
    old.save(update_fields=["revoked_at", "replaced_by"])
    api_credential_forget(credential=old)
    return issued


def api_credential_revoke(*, credential: ApiCredential, at: datetime) -> None:
    """The key stops working now; revoking twice keeps the first time."""
    ApiCredential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(revoked_at=at)
    api_credential_forget(credential=credential)


def api_credential_forget(*, credential: ApiCredential) -> None:
    """After any change of the credential's row: the next request reads it afresh."""
    forget(_cache_key(credential.prefix))


def _cache_key(prefix: str) -> str:
    return f"apikey:{prefix}"


def api_credential_for_key(*, key: str) -> ApiCredential | None:
    """The active credential this key belongs to, or None."""
    parts = key.split("_", 2) if key.startswith(KEY_PREFIX) else []
    if len(parts) != 3:
        return None
    credential = remembered(_cache_key(parts[1]), lambda: _active(parts[1]), CACHED_FOR)
    if credential is None or not hmac.compare_digest(credential.key_hash, _hash(key)):
        return None
    return credential


def _active(prefix: str) -> ApiCredential | None:
    """Read on a cache miss, so at most once per CACHED_FOR and key: the use is recorded
    here (last_used_at is then up to a minute or two late, never one UPDATE per request)."""
    credential = (
        ApiCredential.objects.select_related("institution")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if credential is not None and (
        credential.last_used_at is None or now - credential.last_used_at > LAST_USED_EVERY
    ):
        ApiCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now
    return credential


def api_user_for(*, institution: Institution) -> AbstractBaseUser:
    """The back-office user the institution's system acts as where a service records a person.

    Audit services (appeals, bed checks) record who acted; for the API that is one user per
    institution with the hospital-client role. It has no usable password: it never logs in.
    """
    from django.contrib.auth.models import User

    from medins.models import Role, UserProfile

    user, created = User.objects.get_or_create(username=f"api-{institution.code}")
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        UserProfile.objects.create(user=user, role=Role.HOSPITAL_CLIENT, institution=institution)
    return user

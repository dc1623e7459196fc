"""Who may do what in an audit: auditors investigate, supervisors approve, admins may do both."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from medins.models import Role
from medins.selectors import profile_of, role_of

AUDIT_ROLES = (Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN)
APPROVER_ROLES = (Role.SUPERVISOR, Role.ADMIN)

AnyUser = AbstractBaseUser | AnonymousUser


def is_audit_user(user: AnyUser) -> bool:
    """Auditors, supervisors and administrators work in the audit back office."""
    return role_of(user) in AUDIT_ROLES


def is_approver(user: AnyUser) -> bool:
    """Supervisors and administrators approve or return an auditor's proposed decision."""
    return role_of(user) in APPROVER_ROLES


def is_hospital_of(user: AnyUser, institution_code: str) -> bool:
    """Whether the user is the API client of this institution."""
    profile = profile_of(user)
    return (
        role_of(user) == Role.HOSPITAL_CLIENT
        and profile is not None
        and profile.institution_id == institution_code
    )

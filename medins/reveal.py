"""Revealing a person's unmasked ID number or name: allowed roles only, and always logged."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medins import selectors
from medins.models import Person, RevealLog

# What may be revealed, national name -> model field.
REVEALABLE = {"certno": "certno", "name": "name"}


class RevealRefused(Exception):
    """A reveal the user may not make; the message says why and can be shown as it is."""


@transaction.atomic(durable=True)
def person_reveal(
    *,
    user: AbstractBaseUser,
    person: Person,
    fields: Iterable[str],
    context: str,
    at: datetime,
) -> dict[str, str]:
    """The unmasked values of `fields`; writes one RevealLog row or raises RevealRefused."""
    wanted = list(dict.fromkeys(fields))  # keep order, drop repeats
    unknown = [name for name in wanted if name not in REVEALABLE]
    if not wanted or unknown:
        raise RevealRefused(
            _("Cannot reveal %(fields)s: only %(allowed)s may be revealed.")
            % {"fields": ", ".join(unknown) or "-", "allowed": ", ".join(REVEALABLE)}
        )
    if not selectors.may_reveal(user):
        raise RevealRefused(_("Your role may not see unmasked personal data."))
    if not selectors.persons_visible_to(user).filter(pk=person.pk).exists():
        raise RevealRefused(_("Person %(psn_no)s is outside your area.") % {"psn_no": person.pk})
    RevealLog.objects.create(
        user=user, person=person, fields=",".join(wanted), context=context[:200], revealed_at=at
    )
    return {name: getattr(person, REVEALABLE[name]) for name in wanted}


@require_POST
@login_required
def person_reveal_view(request: HttpRequest, psn_no: str) -> HttpResponse:
    """htmx: swap a masked value for the real one, for roles that may see it."""
    person = selectors.person_visible_to(request.user, psn_no)
    if person is None:
        raise Http404(_("No such person in your area."))
    field = request.POST.get("field", "")
    try:
        revealed = person_reveal(
            user=request.user,
            person=person,
            fields=[field],
            context=request.POST.get("context", "")[:200] or request.path,
            at=timezone.now(),
        )
    except RevealRefused as refusal:
        return render(request, "medins/_reveal.html", {"error": str(refusal)}, status=403)
    return render(request, "medins/_reveal.html", {"value": revealed[field]})

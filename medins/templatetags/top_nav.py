"""The apps' links in the top bar, drawn once per role and language: {% load top_nav %}."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from medins.selectors import AnyUser, role_of

register = template.Library()

# (role, profile's role, superuser, language, script prefix) -> the links. A handful of keys:
# the partials (each app's _nav.html) depend on nothing else of the user, and say so.
_drawn: dict[tuple, SafeString] = {}


def nav_key(user: AnyUser) -> tuple:
    profile_role = getattr(getattr(user, "profile", None), "role", "") or ""
    return (role_of(user), profile_role, user.is_superuser, get_language(), get_script_prefix())


@register.simple_tag(takes_context=True)
def top_nav(context: template.Context) -> SafeString:
    """medins/_top_nav.html for the user: every app's links, rendered the first time a role
    asks in a language and then kept (they change only with the code)."""
    user = context["user"]
    key = nav_key(user)
    drawn = _drawn.get(key)
    if drawn is None:
        drawn = _drawn[key] = render_to_string("medins/_top_nav.html", {"user": user})
    return drawn

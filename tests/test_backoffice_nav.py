"""The top bar's links are drawn once per role and language, the same as each time."""

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils.translation import override

from medins.models import Role
from medins.templatetags import top_nav
from tests.factories import UserFactory, make_user

INCLUDES = engines["django"].from_string(
    '{% include "screening/_nav.html" %}{% include "audit/_nav.html" %}'
    '{% include "settlement/_nav.html" %}{% include "services/_nav.html" %}'
)


def links(html: str) -> str:
    return "".join(html.split())


@pytest.mark.parametrize("role", [*Role.values, "superuser"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_roles_links_are_the_partials_drawn_for_that_user(db, role, language):
    if role == "superuser":
        user = UserFactory(is_superuser=True, is_staff=True)
    else:
        user = make_user(role, region_code="3701")
    request = RequestFactory().get("/")
    request.user = user
    top_nav._drawn.clear()

    with override(language):
        drawn = top_nav.top_nav({"user": user})
        again = top_nav.top_nav({"user": make_user(role) if role != "superuser" else user})

        assert links(drawn) == links(INCLUDES.render({"user": user}, request))
        assert again is drawn
        assert len(top_nav._drawn) == 1


def test_roles_and_languages_are_kept_apart(db):
    top_nav._drawn.clear()
    auditor, clerk = make_user("auditor"), make_user("clerk")

    with override("en"):
        english = top_nav.top_nav({"user": auditor})
        assert "Service network" in top_nav.top_nav({"user": clerk})
    with override("zh-hans"):
        chinese = top_nav.top_nav({"user": auditor})

    assert "Triage queue" in english
    assert "Triage queue" not in chinese
    assert "Service network" not in english
    assert len(top_nav._drawn) == 3

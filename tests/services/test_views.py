"""Pages per role: a clerk acts only at their station, a manager sees their division."""

import pytest
from django.urls import reverse

from services.actions.window import request_accept, request_start
from services.models import ServiceRequest, StationLevel
from tests.services.conftest import at


@pytest.fixture
def lixia_request(net):
    return request_start(
        user=net.clerk,
        person=net.person,
        item=net.items.change,
        channel="window",
        at=at(2026, 3, 6, 9),
    )


def page(client, user, url, **extra):
    client.force_login(user)
    return client.get(url, **extra)


class TestRequestPagePerRole:
    def test_the_stations_clerk_sees_it_in_chinese_with_the_actions(
        self, client, net, lixia_request
    ):
        response = page(client, net.clerk, reverse("services:request", args=[lixia_request.number]))

        assert response.status_code == 200
        assert "退回补正" in response.content.decode()
        assert "accept-form" in response.content.decode()

    @pytest.mark.parametrize("who", ["qingdao_clerk", "qingdao_manager", "auditor"])
    def test_outsiders_get_404(self, client, net, lixia_request, who):
        response = page(
            client, getattr(net, who), reverse("services:request", args=[lixia_request.number])
        )

        assert response.status_code == 404

    def test_the_divisions_manager_sees_it_without_actions(self, client, net, lixia_request):
        response = page(
            client, net.manager, reverse("services:request", args=[lixia_request.number])
        )

        assert response.status_code == 200
        assert "accept-form" not in response.content.decode()

    def test_another_stations_clerk_cannot_post_an_action(self, client, net, lixia_request):
        client.force_login(net.qingdao_clerk)

        response = client.post(
            reverse("services:request-act", args=[lixia_request.number, "refuse"]), {"reason": "x"}
        )

        assert response.status_code == 404
        lixia_request.refresh_from_db()
        assert lixia_request.status == ServiceRequest.Status.NEW


class TestWindowThroughPages:
    def test_find_start_and_accept_an_instant_item(self, client, net):
        client.force_login(net.clerk)

        found = client.get(reverse("services:find"), {"q": net.person.certno})
        started = client.post(
            reverse("services:request-new", args=[net.person.psn_no, net.items.card.code]),
            {"channel": "window", "phone": "13800000000"},
        )
        request = ServiceRequest.objects.get()
        accepted = client.post(
            reverse("services:request-act", args=[request.number, "accept"]),
            {"materials": ["身份证"]},
        )

        assert found.url == reverse("services:person", args=[net.person.psn_no])
        assert started.status_code == 302
        assert accepted.status_code == 302
        request.refresh_from_db()
        assert request.status == ServiceRequest.Status.DONE

    def test_a_person_found_shows_masked(self, client, net):
        response = page(client, net.clerk, reverse("services:person", args=[net.person.psn_no]))

        content = response.content.decode()
        assert "李*" in content
        assert net.person.certno not in content

    def test_an_unknown_id_says_so(self, client, net):
        client.force_login(net.clerk)

        response = client.get(reverse("services:find"), {"q": "000"}, follow=True)

        assert "辖区内没有" in response.content.decode()


class TestNetworkPages:
    def test_the_map_draws_the_managers_stations_only(self, client, net):
        response = page(client, net.manager, reverse("services:network"))

        content = response.content.decode()
        assert 'data-code="LX01"' in content
        assert 'data-code="QD01"' not in content
        assert "<svg" in content
        assert "tile" not in content

    def test_the_map_filters_by_level(self, client, net):
        response = page(client, net.admin, reverse("services:network"), data={"level": "village"})

        assert 'data-code="LX01"' not in response.content.decode()

    def test_the_maps_circles_are_escaped_as_the_template_would(self, client, net):
        from django.template import Context, Template

        from services.models import Station
        from services.network import map_points
        from services.views.network import _circles

        Station.objects.filter(code="LX01").update(
            name='<b>"姚家" & 站</b>', address="a'b<c>", contact_name="&amp;", contact_phone="<1>"
        )
        points = map_points(Station.objects.select_related("county"))
        template = Template(
            "{% for p in points %}"
            '<circle cx="{{ p.x }}" cy="{{ p.y }}" r="{% if p.station.level == "hall" %}8'
            '{% elif p.station.level == "village" %}3{% else %}5{% endif %}"'
            ' class="lv-{{ p.station.level }}" data-code="{{ p.station.code }}">'
            "<title>{{ p.station.name }} · {{ p.station.get_level_display }}"
            " · {{ p.station.address }} · {{ p.station.contact_name }}"
            " {{ p.station.contact_phone }}</title></circle>{% endfor %}"
        )
        levels = {value: str(label) for value, label in StationLevel.choices}

        assert _circles(points, levels) == template.render(Context({"points": points}))
        assert "&lt;b&gt;&quot;姚家&quot; &amp; 站&lt;/b&gt;" in _circles(points, levels)

    def test_station_options_are_escaped_and_selected_as_the_template_did(self):
        from django.template import Context, Template

        from services.views import options

        rows = [("LX01", "历下"), ('Q"<&>', "<b>&amp;</b>"), ("", "x")]
        template = Template(
            '{% for code, name in rows %}<option value="{{ code }}"'
            "{% if code == station %} selected{% endif %}>{{ name }}</option>{% endfor %}"
        )

        for station in ("", "LX01", 'Q"<&>', None):
            context = Context({"rows": rows, "station": station})
            assert options(rows, station) == template.render(context)

    def test_the_public_station_search_needs_no_login(self, client, net):
        response = client.get(reverse("services:public-stations"), {"county": "370202"})

        content = response.content.decode()
        assert "市南区医保服务站" in content
        assert "姚家街道" not in content

    def test_an_auditor_has_no_network_page(self, client, net):
        assert page(client, net.auditor, reverse("services:network")).status_code == 404

    def test_dashboard_counts_the_clerks_station(self, client, net, lixia_request):
        response = page(client, net.clerk, reverse("services:dashboard"))

        assert response.status_code == 200
        assert response.context["figures"]["total"] == 1
        assert (
            page(client, net.qingdao_clerk, reverse("services:dashboard")).context["figures"][
                "total"
            ]
            == 0
        )


class TestReimbursementThroughPages:
    def test_upload_first_and_second_review_by_two_clerks(self, client, net, settings):
        client.force_login(net.clerk)
        client.post(
            reverse("services:request-new", args=[net.person.psn_no, net.items.refund.code]),
            {
                "channel": "window",
                "institution_code": net.hospital.code,
                "medical_type": "11",
                "begin_date": "2026-02-20",
                "end_date": "2026-02-20",
                "fee_lines": "001,1,120.00",
            },
        )
        request = ServiceRequest.objects.get()

        def act(action, data):
            return client.post(reverse("services:request-act", args=[request.number, action]), data)

        act("accept", {"materials": ["身份证", "发票"]})
        with open(settings.MEDIA_ROOT.parent / "scan.pdf", "wb") as scan:
            scan.write(b"%PDF-1.4 scan")
        with open(settings.MEDIA_ROOT.parent / "scan.pdf", "rb") as scan:
            act("upload", {"document": scan})
        act("review", {"decision": "approve"})
        refused = client.post(
            reverse("services:request-act", args=[request.number, "second_review"]),
            {"decision": "approve", "fund_paid": "60"},
            follow=True,
        )
        client.force_login(net.other_clerk)
        act("second_review", {"decision": "approve", "fund_paid": "60.00"})

        assert "另一名经办人员" in refused.content.decode()
        request.refresh_from_db()
        assert request.status == ServiceRequest.Status.DONE
        assert request.documents.get().size == len(b"%PDF-1.4 scan")
        assert request.settlement.total == 120


def test_coverage_has_a_total_row_for_a_manager(client, net):
    from services.models import Village

    Village.objects.create(
        code="370102001001",
        name="近村",
        county=net.lixia,
        town_name="姚家",
        longitude="117.05",
        latitude="36.66",
    )

    response = page(client, net.manager, reverse("services:network"))

    total = response.context["coverage_total"]
    assert (total.villages, total.covered, total.stations) == (1, 1, 1)
    assert "所列县区合计" in response.content.decode()


BACK_OFFICE = [
    "services:workbench",
    "services:overdue",
    "services:outbox",
    "services:network",
    "services:dashboard",
    "services:complaints",
]


@pytest.mark.parametrize("url_name", BACK_OFFICE)
@pytest.mark.parametrize(
    ("who", "status"),
    [("clerk", 200), ("manager", 200), ("admin", 200), ("auditor", 404)],
)
def test_back_office_pages_per_role(client, net, url_name, who, status):
    assert page(client, getattr(net, who), reverse(url_name)).status_code == status


@pytest.mark.parametrize("role", ["supervisor", "hospital"])
def test_other_roles_do_not_see_the_person_page(client, net, role):
    from tests.factories import make_user

    outsider = make_user(role, region_code="3701")

    assert (
        page(client, outsider, reverse("services:person", args=[net.person.psn_no])).status_code
        == 404
    )


def test_a_managers_dashboard_lists_each_station(client, net, lixia_request):
    response = page(client, net.manager, reverse("services:dashboard"))

    assert [row["station__code"] for row in response.context["per_station"]] == ["LX01"]
    assert response.context["per_station"][0]["total"] == 1
    content = response.content.decode()
    assert content.count('id="per-station"') == 1
    assert "<title>服务站看板 · " in content
    assert "<section" not in content.split("</title>")[0]


@pytest.mark.parametrize("listed", [200, 2])  # all listed: counted from the rows; else asked
def test_the_workbench_counts_the_overdue_requests(client, net, lixia_request, monkeypatch, listed):
    from services.views import window

    monkeypatch.setattr(window, "LISTED", listed)
    for when in (at(2026, 3, 9, 9), at(2027, 3, 1, 9)):  # overdue; due next year
        started = request_start(
            user=net.clerk, person=net.person, item=net.items.change, channel="window", at=when
        )
        request_accept(user=net.clerk, request=started, materials=["身份证", "申请表"], at=when)

    response = page(client, net.clerk, reverse("services:workbench"))

    assert len(response.context["rows"]) == min(3, listed)  # the first has no due day yet
    assert response.context["overdue"] == 1


# The session and the user with their role (2 in the test client, 1 with the shared cache);
# the dashboard: the station's requests of the fortnight, those done, the ratings with the
# total and overdue counts, per item, the station choices; the workbench: the station, the
# calendar, the open requests (their overdue ones counted from them).
@pytest.mark.parametrize(("url_name", "queries"), [("dashboard", 7), ("workbench", 5)])
def test_a_clerks_page_asks_a_fixed_number_of_questions(
    client, net, lixia_request, django_assert_max_num_queries, url_name, queries
):
    client.force_login(net.clerk)
    client.get(reverse(f"services:{url_name}"))

    with django_assert_max_num_queries(queries):
        assert client.get(reverse(f"services:{url_name}")).status_code == 200

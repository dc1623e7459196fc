"""The back office shell through Django's test client: login, home per role, languages."""

import pytest
from django.urls import reverse

from tests.factories import DivisionFactory, SettlementFactory, UserFactory, make_user

HOME = "/"


def home_of(client, user, language="zh-hans"):
    client.force_login(user)
    return client.get(HOME, HTTP_ACCEPT_LANGUAGE=language).content.decode()


class TestLoginRequired:
    def test_an_anonymous_visitor_is_sent_to_the_login_page(self, client, db):
        response = client.get(HOME)

        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next=/"

    def test_the_login_page_is_in_chinese_by_default(self, client, db):
        page = client.get(reverse("login")).content.decode()

        assert '<html lang="zh-hans">' in page
        assert "登录" in page

    def test_a_wrong_password_shows_an_error_and_logs_nobody_in(self, client, cast):
        response = client.post(
            reverse("login"), {"username": cast.jinan_auditor.username, "password": "wrong"}
        )

        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_a_right_password_leads_home(self, client, cast):
        response = client.post(
            reverse("login"),
            {"username": cast.jinan_auditor.username, "password": "test-password-1"},
        )

        assert response.status_code == 302
        assert response.url == reverse("home")

    def test_logging_out_is_a_post_that_returns_to_login(self, client, cast):
        client.force_login(cast.jinan_auditor)

        response = client.post(reverse("logout"))

        assert response.url == reverse("login")
        assert client.get(HOME).status_code == 302


class TestHomePerRole:
    @pytest.mark.parametrize(
        ("who", "title", "figure"),
        [
            ("admin", "系统管理员", "参保人"),
            ("jinan_auditor", "稽核人员", "待处理疑点"),
            ("jinan_supervisor", "稽核科长", "费用明细"),
            ("lixia_clerk", "经办人员", "参保人"),
            ("jinan_manager", "协议管理人员", "其中零售药店"),
            ("qilu_hospital", "医院接口用户", "导入批次"),
        ],
    )
    def test_each_role_sees_its_own_page_in_chinese(self, client, cast, who, title, figure):
        page = home_of(client, getattr(cast, who))

        assert f"<h1>{title}</h1>" in page
        assert figure in page

    def test_an_auditor_sees_the_region_counts(self, client, cast):
        SettlementFactory(institution=cast.qilu)
        SettlementFactory(institution=cast.qingdao)

        page = home_of(client, cast.jinan_auditor, "en")

        assert "Your region: 3701" in page
        assert '<span class="value">1</span><span class="label">Settlements</span>' in page

    def test_a_hospital_client_sees_its_institution_and_only_its_settlements(self, client, cast):
        SettlementFactory(institution=cast.qilu, setl_id="S-QILU")
        SettlementFactory(institution=cast.qingdao, setl_id="S-QINGDAO")

        page = home_of(client, cast.qilu_hospital)

        assert "齐鲁医院" in page
        assert "S-QILU" in page
        assert "S-QINGDAO" not in page

    def test_an_admin_gets_links_to_the_admin(self, client, cast):
        page = home_of(client, cast.admin)

        assert 'href="/admin/"' in page

    def test_an_auditor_gets_no_admin_link(self, client, cast):
        page = home_of(client, cast.jinan_auditor)

        assert 'href="/admin/"' not in page

    def test_a_user_without_a_role_gets_a_clear_page(self, client, db):
        client.force_login(UserFactory(username="newcomer"))

        response = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en")

        assert response.status_code == 200
        assert "No role assigned" in response.content.decode()
        assert "newcomer" in response.content.decode()


class TestPersonalDataOnHome:
    def test_names_and_id_numbers_are_masked(self, client, cast):
        settlement = SettlementFactory(institution=cast.qilu, person__name="张三丰")
        certno = settlement.person.certno

        page = home_of(client, cast.jinan_auditor)

        assert "张**" in page
        assert "张三丰" not in page
        assert certno not in page
        assert certno[:6] + "********" + certno[-4:] in page

    def test_the_recent_settlements_show_id_institution_time_and_total(self, client, cast):
        from django.utils import timezone

        settlement = SettlementFactory(institution=cast.qilu)

        page = home_of(client, cast.jinan_auditor)

        assert f"<td>{settlement.setl_id}</td>" in page
        assert f"<td>{cast.qilu.name}</td>" in page
        assert f"<td>{timezone.localtime(settlement.settled_at):%Y-%m-%d %H:%M}</td>" in page
        assert '<td class="num">100.00</td>' in page

    def test_an_auditor_gets_a_reveal_button(self, client, cast):
        settlement = SettlementFactory(institution=cast.qilu)

        page = home_of(client, cast.jinan_auditor)

        assert reverse("person-reveal", args=[settlement.person.pk]) in page

    def test_a_hospital_client_gets_no_reveal_button(self, client, cast):
        SettlementFactory(institution=cast.qilu)

        page = home_of(client, cast.qilu_hospital)

        assert "hx-post" not in page


class TestShell:
    def test_the_base_layout_loads_htmx_and_sets_csrf_once(self, client, cast):
        page = home_of(client, cast.jinan_auditor)

        assert '<script src="/static/django_htmx/htmx' in page
        assert page.count("hx-headers") == 1
        assert "x-csrftoken" in page

    def test_css_is_served_locally(self, client, cast):
        page = home_of(client, cast.jinan_auditor)

        assert "/static/medins/site.css" in page
        assert "http://" not in page.split("<body")[0]
        assert "https://" not in page.split("<body")[0]


class TestLanguageSwitch:
    def test_switching_to_english_translates_the_home_page(self, client, cast):
        client.force_login(cast.jinan_auditor)

        response = client.post(reverse("set_language"), {"language": "en", "next": HOME})
        page = client.get(HOME).content.decode()

        assert response.status_code == 302
        assert '<html lang="en">' in page
        assert "<h1>Auditor</h1>" in page

    def test_switching_back_to_chinese(self, client, cast):
        client.force_login(cast.jinan_auditor)
        client.post(reverse("set_language"), {"language": "en", "next": HOME})

        client.post(reverse("set_language"), {"language": "zh-hans", "next": HOME})
        page = client.get(HOME).content.decode()

        assert "<h1>稽核人员</h1>" in page

    def test_each_language_is_offered_in_its_own_name(self, client, cast):
        page = home_of(client, cast.jinan_auditor)

        assert ">简体中文</button>" in page
        assert ">English</button>" in page


class TestHospitalWithoutInstitution:
    def test_says_no_institution_is_bound_and_shows_nothing(self, client, cast):
        SettlementFactory(institution=cast.qilu)
        unbound = make_user("hospital", region_code="")

        page = home_of(client, unbound, "en")

        assert "No institution is bound to your account yet" in page
        assert "No settlements yet." in page


class TestRegionName:
    def test_the_region_is_named_when_the_registry_knows_it(self, client, cast):
        DivisionFactory(code="370100", name="济南市", level=2)

        page = home_of(client, cast.jinan_auditor)

        assert "您的管辖区划：3701 济南市。" in page

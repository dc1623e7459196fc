"""Factories for the registry and settlement data; each builds a consistent, valid record."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from medins.identity import certno_check_char
from medins.models import CatalogItem, Division, Institution, Person, Practitioner
from settlement.models import Diagnosis, FeeLine, Settlement

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def make_certno(division: str, birth: date, sequence: int, gender: str) -> str:
    """A valid ID: the sequence's last digit is odd for men, even for women."""
    seq = sequence * 2 + (1 if gender == "1" else 0)
    first17 = f"{division}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + certno_check_char(first17)


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division
        django_get_or_create = ("code",)

    code = "370102"
    name = "历下区"
    level = Division.Level.COUNTY


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    code = factory.Sequence(lambda n: f"H370102{n:05d}")
    name = factory.Sequence(lambda n: f"济南市第{n}人民医院")
    kind = Institution.Kind.MEDICAL
    hospital_grade = "05"
    division_code = "370102"
    beds = 300


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    code = factory.Sequence(lambda n: f"D370102{n:06d}")
    name = factory.Sequence(lambda n: f"医生{n}")
    institution = factory.SubFactory(InstitutionFactory)
    department_code = "A03"
    kind = Practitioner.Kind.PHYSICIAN


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    psn_no = factory.Sequence(lambda n: f"37010200000{n:07d}")
    gender = "1"
    birth_date = date(1970, 5, 17)
    certno = factory.LazyAttributeSequence(
        lambda person, n: make_certno("370102", person.birth_date, n, person.gender)
    )
    name = "张三"
    insurance_type = "310"
    person_type = "1101"
    division_code = "370102"


class CatalogItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogItem

    code = factory.Sequence(lambda n: f"0025030200{n:05d}")
    name = factory.Sequence(lambda n: f"检验项目{n}")
    list_type = "201"
    charge_type = "04"
    charge_level = "01"
    effective_from = date(2020, 1, 1)


class SettlementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Settlement

    setl_id = factory.Sequence(lambda n: f"S{n:010d}")
    encounter_id = factory.Sequence(lambda n: f"M{n:010d}")
    person = factory.SubFactory(PersonFactory)
    institution = factory.SubFactory(InstitutionFactory)
    insurance_type = "310"
    medical_type = "11"
    begin_time = shanghai(2026, 3, 2, 9, 0)
    end_time = factory.LazyAttribute(lambda s: s.begin_time + timedelta(hours=1))
    main_diagnosis = "J06.900"
    total = Decimal("100.00")
    fully_self_paid = Decimal("0.00")
    in_scope = Decimal("100.00")
    fund_paid = Decimal("60.00")
    account_paid = Decimal("0.00")
    cash_paid = Decimal("40.00")
    settled_at = factory.LazyAttribute(lambda s: s.end_time)


class DiagnosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnosis

    settlement = factory.SubFactory(SettlementFactory)
    rank = 1
    code = "J06.900"


class FeeLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeLine

    line_id = factory.Sequence(lambda n: f"F{n:012d}")
    settlement = factory.SubFactory(SettlementFactory)
    encounter_id = factory.LazyAttribute(lambda f: f.settlement.encounter_id)
    person = factory.LazyAttribute(lambda f: f.settlement.person)
    institution = factory.LazyAttribute(lambda f: f.settlement.institution)
    occurred_at = factory.LazyAttribute(lambda f: f.settlement.begin_time)
    item_code = "002503020030000"
    charge_type = "04"
    quantity = Decimal("1")
    unit_price = Decimal("25.00")
    amount = Decimal("25.00")
    charge_level = "01"


# --- Back-office users with their profiles (role and scope). ---

from django.contrib.auth.models import User  # noqa: E402  (appended section)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("test-password-1")


class UserProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "medins.UserProfile"

    user = factory.SubFactory(UserFactory)
    role = "auditor"
    region_code = "3701"


def make_user(role: str, **profile: object) -> User:
    """A user with a profile of this role; keyword arguments go to the profile."""
    return UserProfileFactory(role=role, **profile).user

"""The reference tables the data migration loads: ICD-10 categories and Shandong's divisions."""

import pytest

from medins import data
from medins.icd10 import icd10_category, icd10_names, unknown_icd10_codes
from medins.models import Division, Icd10Category

pytestmark = pytest.mark.django_db


class TestIcd10Table:
    def test_holds_every_category_from_a00_to_z99(self):
        assert Icd10Category.objects.count() >= 2000
        assert Icd10Category.objects.filter(code="A00").exists()
        assert Icd10Category.objects.filter(code="Z99").exists()

    def test_names_known_categories_in_chinese_and_english(self):
        hypertension = Icd10Category.objects.get(code="I10")
        diabetes = Icd10Category.objects.get(code="E11")

        assert hypertension.name_zh == "特发性(原发性)高血压"
        assert hypertension.name_en == "Essential (primary) hypertension"
        assert diabetes.name_zh == "非胰岛素依赖型糖尿病"
        assert Icd10Category.objects.get(code="J06").name_zh.endswith("急性上呼吸道感染")

    def test_includes_the_who_2019_provisional_codes(self):
        assert Icd10Category.objects.filter(code__in=["U07", "U09", "U82"]).count() == 3
        assert Icd10Category.objects.get(code="U07").chapter == 22

    @pytest.mark.parametrize(
        ("code", "chapter"),
        [
            ("A09", 1),
            ("C34", 2),
            ("D48", 2),
            ("D50", 3),
            ("H59", 7),
            ("H60", 8),
            ("O80", 15),
            ("P07", 16),
            ("S72", 19),
            ("T98", 19),
            ("V43", 20),
            ("Y98", 20),
            ("Z34", 21),
        ],
    )
    def test_puts_each_category_in_its_chapter(self, code, chapter):
        assert Icd10Category.objects.get(code=code).chapter == chapter

    def test_every_chapter_has_categories(self):
        chapters = set(Icd10Category.objects.values_list("chapter", flat=True))

        assert chapters == set(range(1, 23))

    @pytest.mark.parametrize(
        ("code", "gender"),
        [
            ("O00", "2"),
            ("O99", "2"),
            ("N70", "2"),
            ("N98", "2"),
            ("C51", "2"),
            ("C58", "2"),
            ("D25", "2"),
            ("D28", "2"),
            ("N40", "1"),
            ("N51", "1"),
            ("C60", "1"),
            ("C63", "1"),
        ],
    )
    def test_marks_single_gender_categories_at_both_ends_of_each_range(self, code, gender):
        assert Icd10Category.objects.get(code=code).only_gender == gender

    @pytest.mark.parametrize("code", ["N39", "N60", "N99", "C50", "N64", "D24", "D29", "C64"])
    def test_leaves_the_neighbours_of_the_ranges_open_to_both(self, code):
        assert Icd10Category.objects.get(code=code).only_gender == ""

    def test_limits_perinatal_categories_to_minors(self):
        perinatal = Icd10Category.objects.filter(code__startswith="P")

        assert perinatal.count() > 50
        assert set(perinatal.values_list("max_age", flat=True)) == {17}
        assert (
            Icd10Category.objects.exclude(code__startswith="P")
            .filter(max_age__isnull=False)
            .count()
            == 0
        )

    def test_reloading_is_a_no_op(self):
        before = Icd10Category.objects.count()

        loaded = data.load_icd10_categories(Icd10Category)

        assert loaded == before == Icd10Category.objects.count()


class TestIcd10Lookups:
    @pytest.mark.parametrize(
        ("code", "category"),
        [("I10.x00", "I10"), (" e11.900 ", "E11"), ("J06", "J06"), ("k29.700x001", "K29")],
    )
    def test_category_is_the_first_three_characters_upper_case(self, code, category):
        assert icd10_category(code) == category

    def test_reports_only_codes_whose_category_is_unknown(self):
        codes = ["I10.x00", "E11.900", "XX1.000", "I84.100", "U07.100", "", "  "]

        assert unknown_icd10_codes(codes) == {"XX1.000", "I84.100"}

    def test_handles_a_hundred_thousand_codes_in_one_query(self, django_assert_num_queries):
        codes = [f"J{n % 100:02d}.{n:06d}" for n in range(100_000)]

        with django_assert_num_queries(1):
            unknown = unknown_icd10_codes(codes)

        unknown_categories = {icd10_category(code) for code in unknown}
        assert unknown_categories == {
            "J07",
            "J08",
            "J19",
            *(f"J{n}" for n in range(23, 30)),
            *(f"J{n}" for n in range(48, 60)),
            *(f"J{n}" for n in range(71, 80)),
            "J83",
            "J87",
            "J88",
            "J89",
            "J97",
        }

    def test_names_follow_the_language(self):
        assert icd10_names(["i10.x00", "E11"], language="zh-hans") == {
            "I10": "特发性(原发性)高血压",
            "E11": "非胰岛素依赖型糖尿病",
        }
        assert icd10_names(["I10"], language="en") == {"I10": "Essential (primary) hypertension"}

    def test_names_leave_out_unknown_categories(self):
        assert icd10_names(["QQQ", "", "I10"], language="zh-hans") == {
            "I10": "特发性(原发性)高血压"
        }


class TestDivisions:
    def test_loads_the_province_its_16_cities_and_their_counties(self):
        province = Division.objects.get(code="370000")

        assert province.name == "山东省"
        assert province.level == Division.Level.PROVINCE
        assert province.parent is None
        assert province.children.count() == 16
        assert set(province.children.values_list("level", flat=True)) == {Division.Level.CITY}
        assert Division.objects.filter(level=Division.Level.COUNTY).count() == 136

    @pytest.mark.parametrize(
        ("code", "name"),
        [("370100", "济南市"), ("370200", "青岛市"), ("371300", "临沂市"), ("371700", "菏泽市")],
    )
    def test_names_the_cities(self, code, name):
        assert Division.objects.get(code=code).name == name

    def test_every_county_hangs_under_the_city_of_its_code(self):
        counties = Division.objects.filter(level=Division.Level.COUNTY).select_related("parent")

        assert all(county.parent.code == county.code[:4] + "00" for county in counties)
        assert Division.objects.get(code="370102").parent.name == "济南市"
        assert Division.objects.get(code="370614").name == "蓬莱区"

    @pytest.mark.parametrize(
        ("code", "level"),
        [("370000", 1), ("370100", 2), ("370102", 3), ("370102001", 4), ("370102001001", 5)],
    )
    def test_level_follows_the_shape_of_the_code(self, code, level):
        assert data.division_level(code) == level

    def test_reloading_keeps_one_row_per_code(self):
        Division.objects.filter(code="370102").update(name="renamed")

        data.load_divisions(Division)

        assert Division.objects.count() == 153
        assert Division.objects.get(code="370102").name == "历下区"

    def test_unloading_removes_the_reference_rows(self):
        data.unload_divisions(Division)
        data.unload_icd10_categories(Icd10Category)

        assert Division.objects.count() == 0
        assert Icd10Category.objects.count() == 0

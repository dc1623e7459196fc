from datetime import date

import pytest

from medins.identity import InvalidCertno, certno_mask, certno_validate, name_mask

VALID = "11010519491231002X"  # the standard's own example: a woman born 1949-12-31


class TestCertnoValidate:
    def test_accepts_the_standards_example(self):
        assert certno_validate(VALID, gender="2", birth_date=date(1949, 12, 31)) == VALID

    def test_normalises_a_lower_case_x(self):
        assert certno_validate(VALID.lower()) == VALID

    def test_rejects_a_wrong_check_digit(self):
        with pytest.raises(InvalidCertno, match="check digit is 1, should be X"):
            certno_validate(VALID[:17] + "1")

    def test_rejects_a_wrong_length(self):
        with pytest.raises(InvalidCertno, match="18 characters"):
            certno_validate(VALID[:17])

    def test_rejects_letters_inside(self):
        with pytest.raises(InvalidCertno, match="17 digits"):
            certno_validate("1101051949A231002X")

    def test_rejects_an_impossible_birth_date(self):
        first17 = "11010519490230002"  # 30 February
        from medins.identity import certno_check_char

        with pytest.raises(InvalidCertno, match="not a date"):
            certno_validate(first17 + certno_check_char(first17))

    def test_rejects_a_gender_that_disagrees(self):
        with pytest.raises(InvalidCertno, match="gender 1 disagrees"):
            certno_validate(VALID, gender="1")

    def test_accepts_unstated_gender(self):
        assert certno_validate(VALID, gender="9") == VALID

    def test_rejects_a_birth_date_that_disagrees(self):
        with pytest.raises(InvalidCertno, match="disagrees with the ID's 1949-12-31"):
            certno_validate(VALID, birth_date=date(1950, 1, 1))


def test_masks_keep_only_what_identifies_nobody():
    assert certno_mask(VALID) == "110105********002X"
    assert name_mask("张三丰") == "张**"

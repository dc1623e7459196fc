"""The vectorized resident-ID check gives the answers of medins.identity, row for row."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from medins.identity import InvalidCertno, certno_check_char, certno_validate
from settlement.batch.rules import certno_birth, certno_gender, certno_problem


def _scalar_problem(certno: str) -> bool:
    try:
        certno_validate(certno)
    except InvalidCertno:
        return True
    return False


def _vector_problems(certnos: list[str]) -> list[bool]:
    frame = pl.DataFrame({"certno": certnos})
    return frame.select(certno_problem(pl.col("certno")).is_not_null())["certno"].to_list()


_digits = st.text(alphabet="0123456789", min_size=17, max_size=17)
_valid = st.builds(
    lambda birth, region, seq: (
        (first := f"{region}{birth:%Y%m%d}{seq:03d}") + certno_check_char(first)
    ),
    st.dates(date(1900, 1, 1), date(2026, 12, 31)),
    st.sampled_from(["370102", "370202", "110101"]),
    st.integers(0, 999),
)
_any = st.one_of(
    _valid,
    _digits.map(lambda first: first + "X"),
    _digits.flatmap(lambda first: st.sampled_from("0123456789Xx").map(lambda c: first + c)),
    st.text(alphabet="0123456789Xx ", max_size=20),
)


class TestCertnoTwin:
    @settings(max_examples=300, deadline=None)
    @given(st.lists(_any, min_size=1, max_size=20))
    def test_agrees_with_the_scalar_check(self, certnos):
        assert _vector_problems(certnos) == [_scalar_problem(c) for c in certnos]

    def test_reads_birth_date_and_gender_like_the_scalar_helpers(self):
        frame = pl.DataFrame({"certno": ["370102197005170118", "370202198511020227"]})

        read = frame.select(
            certno_birth(pl.col("certno")).alias("birth"),
            certno_gender(pl.col("certno")).alias("gender"),
        )

        assert read.rows() == [(date(1970, 5, 17), "1"), (date(1985, 11, 2), "2")]

    def test_says_why_an_id_is_wrong(self):
        problems = pl.DataFrame(
            {"certno": ["370102197005170119", "37010219700517011", "370102197013170118"]}
        ).select(certno_problem(pl.col("certno")))["certno"]

        assert problems.to_list() == [
            "check digit is 9, should be 8",
            "must have 18 characters, has 17",
            "birth date 19701317 in the ID is not a date",
        ]

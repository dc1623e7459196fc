"""Resident ID numbers (GB 11643-1999): check digit, birth date and gender."""

from __future__ import annotations

from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


class InvalidCertno(ValueError):
    """The ID number is malformed, fails its check digit, or disagrees with the person."""


def certno_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def certno_birth_date(certno: str) -> date:
    """The birth date an 18-character ID encodes; raises InvalidCertno if it is no date."""
    try:
        return date(int(certno[6:10]), int(certno[10:12]), int(certno[12:14]))
    except ValueError as error:
        raise InvalidCertno(f"birth date {certno[6:14]} in the ID is not a date") from error


def certno_gender(certno: str) -> str:
    """'1' male or '2' female: the 17th digit is odd for men."""
    return "1" if int(certno[16]) % 2 else "2"


def certno_validate(
    certno: str, *, gender: str | None = None, birth_date: date | None = None
) -> str:
    """Return the normalised ID (upper-case X) or raise InvalidCertno saying what is wrong."""
    value = certno.strip().upper()
    if len(value) != 18:
        raise InvalidCertno(f"must have 18 characters, has {len(value)}")
    # isascii: "２" (full width) or "²" pass isdigit() but are no ID digits.
    if not (value[:17].isascii() and value[:17].isdigit()) or value[17] not in "0123456789X":
        raise InvalidCertno("must be 17 digits followed by a digit or X")
    expected = certno_check_char(value[:17])
    if value[17] != expected:
        raise InvalidCertno(f"check digit is {value[17]}, should be {expected}")
    encoded_birth = certno_birth_date(value)
    if birth_date is not None and birth_date != encoded_birth:
        raise InvalidCertno(f"birth date {birth_date} disagrees with the ID's {encoded_birth}")
    if gender in ("1", "2") and gender != certno_gender(value):
        raise InvalidCertno(f"gender {gender} disagrees with the ID's 17th digit")
    return value


def certno_mask(certno: str) -> str:
    """Show the region and the check character only: 370102********123X → 370102********"""
    if len(certno) < 10:
        return "*" * len(certno)
    return certno[:6] + "*" * 8 + certno[-4:]


def name_mask(name: str) -> str:
    """Keep the family name: 张三丰 → 张**."""
    return name[:1] + "*" * (len(name) - 1) if name else name

"""The rule base (规则库). A rule is listed here or it does not run."""

from screening.rules import (
    diag_mismatch,
    dup_charge,
    overlapping_stays,
    split_admission,
)

ALL_RULES = (
    # Fee-line rules
    dup_charge,
    # Settlement rules
    split_admission,
    overlapping_stays,
    diag_mismatch,
)

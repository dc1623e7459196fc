"""The rule base (规则库). A rule is listed here or it does not run."""

from screening.rules import (
    bed_blocking,
    diag_mismatch,
    dup_charge,
    dup_exam,
    excess_quantity,
    excessive_cost,
    exclusive_items,
    fee_outside_stay,
    frequent_visits,
    low_standard_admission,
    over_price,
    over_scope_drug,
    overlapping_stays,
    peer_anomaly,
    practitioner_anomaly,
    split_admission,
)

ALL_RULES = (
    # Fee-line rules
    dup_charge,
    dup_exam,
    exclusive_items,
    over_price,
    over_scope_drug,
    excess_quantity,
    fee_outside_stay,
    # Settlement rules
    split_admission,
    bed_blocking,
    low_standard_admission,
    overlapping_stays,
    diag_mismatch,
    frequent_visits,
    excessive_cost,
    # Models
    peer_anomaly,
    practitioner_anomaly,
)

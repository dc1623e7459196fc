import inspect

import polars as pl
import pytest

from medins.generator import generate_province
from screening import files
from screening.frames import SCHEMAS
from screening.rules import ALL_RULES, lines


@pytest.mark.parametrize("module", ALL_RULES, ids=lambda module: module.RULE.code)
class TestRuleContract:
    def test_find_takes_the_frames_it_reads_and_its_thresholds_by_keyword(self, module):
        parameters = inspect.signature(module.find).parameters.values()

        assert all(parameter.kind is parameter.KEYWORD_ONLY for parameter in parameters)
        names = [parameter.name for parameter in parameters]
        thresholds = [threshold.name for threshold in module.RULE.thresholds]
        assert sorted(names) == sorted([*module.RULE.reads, *thresholds])

    def test_threshold_defaults_match_the_declaration(self, module):
        parameters = inspect.signature(module.find).parameters

        for threshold in module.RULE.thresholds:
            assert parameters[threshold.name].default == threshold.default
            if not isinstance(threshold.default, str):  # text thresholds have no bounds
                assert threshold.minimum <= threshold.default <= threshold.maximum

    def test_reads_only_known_frames(self, module):
        assert set(module.RULE.reads) <= set(SCHEMAS)


def test_rule_codes_are_unique():
    codes = [module.RULE.code for module in ALL_RULES]

    assert len(codes) == len(set(codes))


@pytest.fixture(scope="module")
def province_frames(tmp_path_factory) -> dict[str, pl.LazyFrame]:
    """A small generated province (refunds included), read into memory."""
    out = tmp_path_factory.mktemp("province")
    generate_province(out=out, persons=600, months=2, seed=5)
    frames = {name: frame.collect() for name, frame in files.read_batch(out).items()}
    charged = frames["fee_lines"].with_row_index("row")
    # Refund every 13th line in full and one unit of every 7th, later the same day.
    refunds = charged.filter((pl.col("row") % 13 == 0) | (pl.col("row") % 7 == 0)).with_columns(
        feedetl_sn=pl.col("feedetl_sn") + "R",
        fee_ocur_time=pl.col("fee_ocur_time").dt.offset_by("1m"),
        cnt=pl.when(pl.col("row") % 13 == 0).then(-pl.col("cnt")).otherwise(-1.0),
    )
    frames["fee_lines"] = pl.concat([charged, refunds]).drop("row")
    return {name: frame.lazy() for name, frame in frames.items()}


NETTING_RULES = [module for module in ALL_RULES if module.RULE.nets_refunds]


@pytest.mark.parametrize("module", NETTING_RULES, ids=lambda module: module.RULE.code)
def test_a_netting_rule_finds_the_same_on_lines_netted_first(module, province_frames):
    # The engine nets refunds once and passes the charged lines to these rules.
    inputs = {name: province_frames[name] for name in module.RULE.reads}
    raw = module.find(**inputs).collect().sort("subject_key")
    netted = {**inputs, "fee_lines": lines.net_of_refunds(inputs["fee_lines"])}

    assert module.find(**netted).collect().sort("subject_key").equals(raw)
    refunds = province_frames["fee_lines"].filter(pl.col("cnt") < 0).collect()
    assert refunds.height > 0  # the province has refunds for the netting to matter


def test_the_rules_that_read_raw_lines_do_not_claim_netting():
    # BED_BLOCKING counts nursing lines before netting; LOW_STANDARD_ADMISSION sums charges.
    raw_readers = {"BED_BLOCKING", "LOW_STANDARD_ADMISSION", "PEER_ANOMALY"}

    assert not {module.RULE.code for module in NETTING_RULES} & raw_readers


def test_lines_netted_in_memory_are_the_lines_net_of_refunds(province_frames):
    fee_lines = province_frames["fee_lines"]

    in_memory = lines.netted_in_memory(fee_lines.collect()).collect()
    netted = lines.net_of_refunds(fee_lines).collect()

    assert in_memory.height < fee_lines.collect().height  # refunds and what they cancel left
    assert in_memory.sort("feedetl_sn").equals(netted.select(in_memory.columns).sort("feedetl_sn"))

import inspect

import pytest

from screening.frames import SCHEMAS
from screening.rules import ALL_RULES


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

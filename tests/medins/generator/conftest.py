import pytest

from medins.generator import generate_province
from tests.medins.generator.rulecheck import load

SMALL = {"persons": 2_000, "months": 2, "seed": 11}


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory):
    """A small batch shared by a module's tests: 2,000 persons over two months."""
    out = tmp_path_factory.mktemp("province")
    generate_province(out=out, **SMALL)
    return out


@pytest.fixture(scope="module")
def batch(batch_dir):
    return load(batch_dir)

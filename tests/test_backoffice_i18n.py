"""The zh_Hans catalogue: complete, compiled, and the check that says so."""

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "i18n-check.py"
spec = importlib.util.spec_from_file_location("i18n_check", SCRIPT)
i18n_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(i18n_check)

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def catalogue(tmp_path, body, *, compile_it=True):
    po = tmp_path / "django.po"
    po.write_text(HEADER + body, encoding="utf-8")
    if compile_it:
        subprocess.run(["msgfmt", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
    return po


def test_every_msgid_of_the_project_is_translated_and_compiled():
    assert i18n_check.problems(i18n_check.PO) == []


def test_the_catalogue_uses_the_domain_terms():
    translated = {msgid: msgstr for msgid, msgstr, *_ in i18n_check.po_entries(i18n_check.PO)}

    assert translated["settlement"] == "结算"
    assert translated["fee line"] == "费用明细"
    assert translated["designated institution"] == "定点医药机构"
    assert translated["insured person"] == "参保人"


needs_msgfmt = pytest.mark.skipif(
    shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed"
)


@needs_msgfmt
class TestI18nCheck:
    def test_reports_an_untranslated_msgid(self, tmp_path):
        po = catalogue(
            tmp_path, 'msgid "Settlements"\nmsgstr "结算"\n\nmsgid "Fee lines"\nmsgstr ""\n'
        )

        assert i18n_check.problems(po) == ["untranslated: 'Fee lines'"]
        assert i18n_check.main(["i18n-check", str(po)]) == 1

    def test_reports_a_fuzzy_translation(self, tmp_path):
        po = catalogue(tmp_path, '#, fuzzy\nmsgid "Fee lines"\nmsgstr "费用"\n')

        assert i18n_check.problems(po) == ["fuzzy: 'Fee lines'"]

    def test_reports_a_catalogue_that_was_not_compiled(self, tmp_path):
        po = catalogue(tmp_path, 'msgid "Fee lines"\nmsgstr "费用明细"\n', compile_it=False)

        assert i18n_check.problems(po) == ["not compiled (run compilemessages): 'Fee lines'"]

    def test_accepts_a_complete_catalogue_with_plurals_and_context(self, tmp_path):
        po = catalogue(
            tmp_path,
            'msgctxt "menu"\nmsgid "Open"\nmsgstr "打开"\n\n'
            'msgid "%(n)s flag"\nmsgid_plural "%(n)s flags"\nmsgstr[0] "%(n)s 个疑点"\n',
        )

        assert i18n_check.problems(po) == []
        assert i18n_check.main(["i18n-check", str(po)]) == 0

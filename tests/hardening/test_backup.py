"""A backup restores every row of every table and every uploaded file, after a wipe."""

import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from medins.auditlog import audit_record
from medins.models import AuditEntry
from medins.uploads import upload_path, upload_store
from screening.audit.models import Case
from screening.models import Flag
from settlement.models import FeeLine, Settlement
from tests.factories import FeeLineFactory, SettlementFactory, make_user, shanghai

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "postgresql" and not shutil.which("pg_restore"),
        reason="pg_dump/pg_restore are not installed",
    ),
]


def _every_row() -> dict[str, list]:
    """Each table's primary keys: what a restore must bring back."""
    return {
        model._meta.label: sorted(map(str, model._default_manager.values_list("pk", flat=True)))
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


@pytest.fixture
def filled():
    """Settlements with fee lines, a flag, a case, an audit entry and an upload."""
    auditor = make_user("auditor", region_code="3701")
    settlements = SettlementFactory.create_batch(3)
    for settlement in settlements:
        FeeLineFactory.create_batch(2, settlement=settlement)
    Flag.objects.create(
        flag_id="DUP_CHARGE:S1:F1",
        rule_code="DUP_CHARGE",
        setl_id=settlements[0].setl_id,
        sev_deg=2,
        amount_at_risk=Decimal("25.00"),
        detected_at=shanghai(2026, 3, 3, 2, 0),
    )
    Case.objects.create(
        title="重复收费 齐鲁医院",
        subject_kind=Case.Subject.INSTITUTION,
        subject_code=settlements[0].institution_id,
        division_code="370102",
        created_by=auditor,
        created_at=shanghai(2026, 3, 4, 9, 0),
    )
    audit_record(actor=auditor, action="case.open", target="audit.case:1")
    return upload_store(file=io.BytesIO(b"%PDF-1.7 evidence"), name="证据.pdf", area="evidence")


def _wipe(settings) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)


def test_restore_brings_back_every_row_and_file_after_a_wipe(filled, settings, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", out=archive, stdout=io.StringIO())
    before = _every_row()
    assert len(before["settlement.Settlement"]) == 3
    assert len(before["settlement.FeeLine"]) == 6
    SettlementFactory()  # after the backup: a restore must not keep it
    _wipe(settings)
    assert not Settlement.objects.exists()
    assert not Path(settings.MEDIA_ROOT).exists()

    call_command("restore", archive, interactive=False, stdout=io.StringIO())

    after = _every_row()
    restored_audit = set(after.pop("medins.AuditEntry"))
    assert set(before.pop("medins.AuditEntry")) < restored_audit
    assert after == before
    assert FeeLine.objects.count() == 6
    assert Flag.objects.get().amount_at_risk == Decimal("25.00")
    assert Case.objects.get().title == "重复收费 齐鲁医院"
    assert upload_path(filled.name).read_bytes() == b"%PDF-1.7 evidence"
    assert AuditEntry.objects.filter(action="backup.restore").count() == 1
    assert AuditEntry.objects.filter(action="backup.create").count() == 1


def test_a_file_that_is_not_a_backup_is_refused_and_changes_nothing(filled, tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tar at all")

    with pytest.raises(CommandError, match="not a medins backup"):
        call_command("restore", bogus, interactive=False)

    assert Settlement.objects.count() == 3


def test_an_archive_with_a_traversal_member_is_refused(filled, tmp_path):
    import json
    import tarfile

    archive = tmp_path / "evil.tar.gz"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "format": 1,
                "vendor": connection.vendor,
                "created_at": "x",
                "database": "d",
                "uploads": 0,
            }
        )
    )
    evil = tmp_path / "evil.txt"
    evil.write_text("owned")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(manifest, arcname="manifest.json")
        tar.add(evil, arcname="../../escaped.txt")

    with pytest.raises(CommandError, match="unsafe or broken entry"):
        call_command("restore", archive, interactive=False)

    assert not (tmp_path.parent / "escaped.txt").exists()
    assert Settlement.objects.count() == 3

"""Hostile .zip batches: bombs, too many members, path tricks and links are refused unopened.

Each archive is crafted for real (zipfile, with the headers an attacker would write). The
import is rejected with an error that names the member and the limit, nothing is stored, and
nothing lands outside the unpacking folder.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from medins.archives import UnsafeArchive, ZipLimits, zip_unpack
from screening.files import BatchError, open_batch
from settlement.models import ImportBatch
from tests.settlement.conftest import FIXTURE, nothing_stored, run_import

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


def _zip_of_fixture(path: Path, *extra: tuple[zipfile.ZipInfo | str, bytes]) -> Path:
    """The small fixture batch as a zip, plus extra members (name or ZipInfo, content)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in sorted(FIXTURE.glob("*.csv")):
            archive.write(member, member.name)
        for info, content in extra:
            archive.writestr(info, content)
    return path


def _link(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # unix: the mode bits below are read as such
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def _refused(archive: Path) -> dict:
    result = run_import(archive)
    assert result.status == ImportBatch.Status.REJECTED, result.errors
    assert nothing_stored()
    assert result.error_count == 1
    return result.errors[0]


def test_a_good_zip_still_imports(tmp_path):
    result = run_import(_zip_of_fixture(tmp_path / "batch.zip"))

    assert result.status == ImportBatch.Status.DONE, result.errors


def test_a_zip_bomb_member_is_refused_by_its_ratio(tmp_path):
    bomb = _zip_of_fixture(tmp_path / "bomb.zip", ("persons_extra.csv", b"0" * (20 * MIB)))

    error = _refused(bomb)

    assert error["file"] == "bomb.zip:persons_extra.csv"
    assert "persons_extra.csv" in error["reason"]
    assert "at most 200:1" in error["reason"]
    assert not list(tmp_path.glob("**/persons_extra.csv"))


def test_an_archive_that_unpacks_too_big_is_refused(tmp_path, settings):
    settings.BATCH_ZIP_MAX_BYTES = 1000  # the fixture alone unpacks to about 3 KB

    error = _refused(_zip_of_fixture(tmp_path / "big.zip"))

    assert "more than 1000 bytes" in error["reason"]
    assert "BATCH_ZIP_MAX_BYTES" in error["reason"]
    assert error["file"].startswith("big.zip:")


def test_too_many_members_are_refused(tmp_path, settings):
    settings.BATCH_ZIP_MAX_MEMBERS = 12
    extra = [(f"notes/{n}.txt", b"x") for n in range(10)]

    error = _refused(_zip_of_fixture(tmp_path / "many.zip", *extra))

    assert "at most 12 are accepted" in error["reason"]
    assert error["file"] == "many.zip"


@pytest.mark.parametrize(
    "name",
    [
        "../escaped.csv",
        "small/../../escaped.csv",
        "/tmp/escaped.csv",
        "C:/escaped.csv",
        "..\\e.csv",
    ],
)
def test_a_member_leading_out_of_the_folder_is_refused(tmp_path, name):
    error = _refused(_zip_of_fixture(tmp_path / "sly.zip", (name, b"psn_no\n1\n")))

    assert error["file"] == f"sly.zip:{name}"
    assert name in error["reason"]
    assert "unsafe path" in error["reason"]
    assert not Path("/tmp/escaped.csv").exists()
    assert not list(tmp_path.parent.glob("escaped.csv"))


def test_a_symbolic_link_is_refused(tmp_path):
    error = _refused(_zip_of_fixture(tmp_path / "link.zip", _link("passwd.csv", "/etc/passwd")))

    assert error["file"] == "link.zip:passwd.csv"
    assert "symbolic link" in error["reason"]


def test_a_lying_size_header_is_caught_while_unpacking(tmp_path):
    """A member that declares fewer bytes than it holds: zipfile stops at the declared size
    and the checksum fails, so the extra bytes are never written (unreadable zip)."""
    archive = tmp_path / "liar.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as handle:
        handle.writestr("persons.csv", b"A" * 5000)
    raw = bytearray(archive.read_bytes())
    declared = (5000).to_bytes(4, "little")
    raw[:] = raw.replace(declared, (50).to_bytes(4, "little"))  # local and central headers
    archive.write_bytes(bytes(raw))

    error = _refused(archive)

    assert "not a readable zip file" in error["reason"]


def test_the_limits_are_checked_before_anything_is_written(tmp_path):
    archive = _zip_of_fixture(tmp_path / "late.zip", ("zz/../../escaped.csv", b"x"))
    folder = tmp_path / "out"
    folder.mkdir()

    with pytest.raises(UnsafeArchive):
        zip_unpack(archive, folder, ZipLimits(max_bytes=10 * MIB, max_members=50, max_ratio=200))

    assert list(folder.iterdir()) == []  # the good members before it were not written either


def test_screen_batch_refuses_the_same_archives(tmp_path):
    archive = _zip_of_fixture(tmp_path / "sly.zip", ("../escaped.csv", b"x"))

    refused = pytest.raises(BatchError, match=r"sly\.zip is refused: Member \.\./escaped\.csv")
    with refused, open_batch(archive):
        pass

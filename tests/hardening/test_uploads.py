"""Uploads: type by content and extension, size limit, names that can never become paths."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from medins.uploads import UploadRejected, safe_filename, upload_open, upload_path, upload_store

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


class TestUploadStore:
    def test_a_pdf_is_stored_under_media_root_with_its_hash(self, settings):
        stored = upload_store(file=SimpleUploadedFile("报告 3月.PDF", PDF), area="evidence")

        path = upload_path(stored.name)
        assert path.read_bytes() == PDF
        assert path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
        assert stored.name.startswith("evidence/")
        assert stored.name.endswith(".pdf")
        assert stored.original_name == "报告 3月.pdf"
        assert stored.size == len(PDF)
        assert stored.sha256 == __import__("hashlib").sha256(PDF).hexdigest()
        assert upload_open(stored.name).read() == PDF

    def test_a_gbk_csv_and_a_bom_csv_are_text(self):
        gbk = "姓名,金额\n张三,1.00\n".encode("gbk")
        bom = "\ufeff姓名,金额\n".encode()

        assert upload_store(file=io.BytesIO(gbk), name="a.csv", area="batch").size == len(gbk)
        assert upload_store(file=io.BytesIO(bom), name="b.csv", area="batch").size == len(bom)

    def test_an_xlsx_needs_to_be_an_office_zip(self):
        good, bad = io.BytesIO(), io.BytesIO()
        with zipfile.ZipFile(good, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
        with zipfile.ZipFile(bad, "w") as archive:
            archive.writestr("evil.sh", "rm -rf /")

        assert upload_store(file=io.BytesIO(good.getvalue()), name="a.xlsx", area="x").size
        with pytest.raises(UploadRejected, match=r"not a \.xlsx"):
            upload_store(file=io.BytesIO(bad.getvalue()), name="b.xlsx", area="x")

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("invoice.pdf", PNG, "not a .pdf"),
            ("photo.png", PDF, "not a .png"),
            ("rows.csv", b"MZ\x90\x00\x03", "not a .csv"),
            ("rows.csv", b"a,b\x00,c", "not a .csv"),
            ("page.html", b"<script>alert(1)</script>", "not accepted"),
            ("setup.exe", b"MZ", "not accepted"),
            ("noextension", PDF, "not accepted"),
            ("empty.pdf", b"", "empty"),
        ],
    )
    def test_a_file_that_is_not_what_it_says_is_refused_and_not_kept(
        self, settings, name, content, message
    ):
        with pytest.raises(UploadRejected, match=message):
            upload_store(file=SimpleUploadedFile(name, content), area="evidence")

        assert _files(Path(settings.MEDIA_ROOT)) == []

    def test_an_oversized_file_is_refused_while_reading_and_not_kept(self, settings):
        settings.UPLOAD_MAX_BYTES = 1000
        big = SimpleUploadedFile("big.pdf", PDF + b"0" * 5000)

        with pytest.raises(UploadRejected, match="larger than the limit of 1000 bytes"):
            upload_store(file=big, area="evidence")

        assert _files(Path(settings.MEDIA_ROOT)) == []

    @pytest.mark.parametrize(
        "name",
        [
            "../../etc/passwd.pdf",
            "..\\..\\windows\\system32\\x.pdf",
            "/etc/cron.d/x.pdf",
            "a/../../../x.pdf",
            "%2e%2e%2fx.pdf",
            "x.txt\x00.pdf",
            "C:\\x.pdf",
        ],
    )
    def test_a_traversal_name_never_leaves_the_area(self, settings, name):
        stored = upload_store(file=io.BytesIO(PDF), name=name, area="evidence")

        path = upload_path(stored.name)
        assert path.parent.parent.parent == Path(settings.MEDIA_ROOT).resolve() / "evidence"
        assert "/" not in stored.original_name
        assert "\\" not in stored.original_name
        assert ".." not in stored.original_name.split("/")

    @pytest.mark.parametrize("name", ["..", ".", "", "///", "\x00\x01"])
    def test_a_name_with_nothing_left_is_refused(self, name):
        with pytest.raises(UploadRejected, match="no usable name"):
            upload_store(file=io.BytesIO(PDF), name=name, area="evidence")


class TestUploadPath:
    @pytest.mark.parametrize("name", ["../x", "/etc/passwd", "evidence/../../x", ""])
    def test_a_name_outside_media_root_is_refused(self, name):
        with pytest.raises(UploadRejected, match="No such uploaded file"):
            upload_path(name)

    def test_media_root_is_outside_the_web_root_and_served_by_no_url(self, client):
        stored = upload_store(file=io.BytesIO(PDF), name="a.pdf", area="evidence")
        static_root = Path(django_settings.STATIC_ROOT).resolve()

        assert not Path(django_settings.MEDIA_ROOT).resolve().is_relative_to(static_root)
        for prefix in ("/media/", "/uploads/", "/static/"):
            assert client.get(prefix + stored.name).status_code == 404


@given(st.text(min_size=1, max_size=200))
def test_safe_filename_is_always_one_plain_component(name):
    try:
        cleaned = safe_filename(name)
    except UploadRejected:
        return
    assert cleaned
    assert "/" not in cleaned
    assert "\\" not in cleaned
    assert "\x00" not in cleaned
    assert cleaned not in {".", ".."}
    assert not cleaned.startswith(".")
    assert len(cleaned) <= 130

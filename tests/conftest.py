import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads and reports of a test go to its own folder, never the project's."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.IMPORT_REPORT_DIR = tmp_path / "reports"

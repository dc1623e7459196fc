import pytest


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache keeps copies by row id (designations): a later test may reuse the id."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads and reports of a test go to its own folder, never the project's."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.IMPORT_REPORT_DIR = tmp_path / "reports"


# --- The back office's cast: who may see what (see tests/test_backoffice_scoping.py). ---


@pytest.fixture
def cast(db):
    """Users named for what each may see, with an institution in Jinan and one in Qingdao."""
    from types import SimpleNamespace

    from tests.factories import InstitutionFactory, make_user

    qilu = InstitutionFactory(code="H37010200001", name="齐鲁医院", division_code="370102")
    qingdao = InstitutionFactory(code="H37020200001", name="青岛市立医院", division_code="370202")
    return SimpleNamespace(
        qilu=qilu,
        qingdao=qingdao,
        admin=make_user("admin", region_code=""),
        jinan_auditor=make_user("auditor", region_code="3701"),
        qingdao_auditor=make_user("auditor", region_code="3702"),
        jinan_supervisor=make_user("supervisor", region_code="3701"),
        lixia_clerk=make_user("clerk", region_code="370102", station_code="LX01"),
        jinan_manager=make_user("manager", region_code="3701"),
        qilu_hospital=make_user("hospital", region_code="", institution=qilu),
    )


@pytest.fixture(autouse=True)
def _rule_versions_read_afresh():
    """The pre-check keeps the rule versions it read for a few seconds; each test's own."""
    from screening.services.config import forget_recent_versions

    forget_recent_versions()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Users made in tests hash their passwords cheaply; real hashing is Django's concern."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages raised outside a request are matched in English, whatever ran before.

    A request through the test client still gets the language its headers ask for
    (Chinese by default), so the Chinese pages are tested as users see them.
    """
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _reference_data(request):
    """The divisions and ICD-10 categories that data migrations load, present in every test.

    A transactional test (PostgreSQL mode, live servers, real workers) ends by flushing every
    table, those rows too; the tests after it on the same process would otherwise see an empty
    registry, depending on the order xdist happens to give them.
    """
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    transactional = names & {"transactional_db", "live_server"} or (
        marker is not None and marker.kwargs.get("transaction")
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from medins.data import load_divisions, load_icd10_categories
    from medins.models import Division, Icd10Category

    if not Icd10Category.objects.exists():
        load_icd10_categories(Icd10Category)
    if not Division.objects.exists():
        load_divisions(Division)

"""create_demo_users and demo: idempotent, and each step skipped when its output is there."""

import json
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from medins.management.commands import demo
from medins.management.commands.create_demo_users import DEMO_PASSWORD
from medins.models import Institution, Role, UserProfile
from screening.models import ScreeningRun
from settlement.models import ImportBatch, Settlement
from tests.factories import InstitutionFactory, SettlementFactory


def run(*args, **options):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _static_root(settings, tmp_path):
    """demo collects static files: into the test's folder, never the project's."""
    settings.STATIC_ROOT = tmp_path / "static"


@pytest.fixture
def registry(db):
    InstitutionFactory(code="P37010200001", kind=Institution.Kind.PHARMACY)
    return InstitutionFactory(code="H37010200007", name="山东省立医院")


class TestCreateDemoUsers:
    def test_creates_one_user_per_role_with_its_scope(self, registry):
        run("create_demo_users")

        profiles = {p.user.username: p for p in UserProfile.objects.select_related("user")}
        assert {p.role for p in profiles.values()} == set(Role.values)
        assert profiles["auditor"].region_code == "3701"
        assert profiles["clerk"].region_code == "370102"
        assert profiles["clerk"].station_code
        assert profiles["hospital"].institution == registry  # the first hospital, not a pharmacy
        assert User.objects.get(username="admin").is_superuser

    def test_prints_the_logins_and_the_demo_password(self, registry):
        out, _ = run("create_demo_users")

        assert "DEMO ONLY" in out
        assert DEMO_PASSWORD in out
        assert "auditor" in out

    def test_every_demo_user_can_log_in(self, registry):
        run("create_demo_users")

        for username in ("admin", "auditor", "supervisor", "clerk", "manager", "hospital"):
            assert authenticate(username=username, password=DEMO_PASSWORD) is not None

    def test_running_twice_changes_nothing(self, registry):
        run("create_demo_users")
        UserProfile.objects.filter(user__username="auditor").update(region_code="3702")

        run("create_demo_users")

        assert User.objects.count() == 6
        assert UserProfile.objects.count() == 6
        assert UserProfile.objects.get(user__username="auditor").region_code == "3701"

    def test_without_a_hospital_it_says_so_and_makes_the_rest(self, db):
        _, err = run("create_demo_users")

        assert "No hospital in the registry" in err
        assert not User.objects.filter(username="hospital").exists()
        assert User.objects.count() == 5


class FakeCommands:
    """Stands in for generate_province, import_batch and screen while recording the calls."""

    def __init__(self, monkeypatch, *, with_screen=True, screen_fails=False):
        self.calls = []
        self.screen_fails = screen_fails
        self.real_call_command = demo.call_command
        commands = {"generate_province": "x", "import_batch": "x"}
        if with_screen:
            commands["screen"] = "x"
        monkeypatch.setattr(demo, "get_commands", lambda: commands)
        monkeypatch.setattr(demo, "call_command", self.call)

    def call(self, name, *args, **options):
        if name in ("create_demo_users", "collectstatic"):
            return self.real_call_command(name, *args, **options)
        self.calls.append((name, *args))
        if name == "import_batch":
            SettlementFactory(institution=Institution.objects.get(code="H37010200007"))
            ImportBatch.objects.create(source=args[0], status=ImportBatch.Status.DONE)
        if name == "screen" and self.screen_fails:
            raise CommandError("Run #1 ended failed: boom")
        if name == "screen":
            ScreeningRun.objects.create(
                window_start=date(2026, 3, 2),
                window_end=date(2026, 3, 2),
                status=ScreeningRun.Status.DONE,
                created_at=timezone.now(),
            )
        return None

    def names(self):
        return [call[0] for call in self.calls]


class TestDemo:
    def test_generates_imports_screens_and_welcomes(self, registry, tmp_path, monkeypatch):
        fake = FakeCommands(monkeypatch)

        out, _ = run("demo", "--persons=50", "--months=2", f"--out={tmp_path}", "--seed=7")

        assert fake.calls[0] == (
            "generate_province",
            "--persons=50",
            "--months=2",
            "--seed=7",
            f"--out={tmp_path}",
        )
        assert fake.calls[1] == ("import_batch", str(tmp_path))
        assert fake.calls[2] == ("screen", "--from=2026-03-02", "--to=2026-03-02")
        assert "http://127.0.0.1:8000" in out
        assert DEMO_PASSWORD in out
        assert User.objects.filter(username="hospital").exists()

    def test_the_same_parameters_twice_neither_regenerate_nor_reimport(
        self, registry, tmp_path, monkeypatch
    ):
        fake = FakeCommands(monkeypatch)
        run("demo", "--persons=50", "--months=2", f"--out={tmp_path}")

        run("demo", "--persons=50", "--months=2", f"--out={tmp_path}")

        assert fake.names() == ["generate_province", "import_batch", "screen"]
        stamp = json.loads((tmp_path / demo.STAMP).read_text())
        assert stamp["parameters"] == {"persons": 50, "months": 2, "seed": 1}

    def test_other_parameters_regenerate_and_reimport(self, registry, tmp_path, monkeypatch):
        fake = FakeCommands(monkeypatch)
        run("demo", "--persons=50", "--months=2", f"--out={tmp_path}")

        run("demo", "--persons=60", "--months=2", f"--out={tmp_path}")

        assert fake.names() == ["generate_province", "import_batch", "screen"] * 2

    def test_a_fresh_database_reimports_the_existing_batch(self, registry, tmp_path, monkeypatch):
        fake = FakeCommands(monkeypatch)
        run("demo", "--persons=50", "--months=2", f"--out={tmp_path}")
        ImportBatch.objects.all().delete()  # as after `make clean` kept the demo-data folder

        run("demo", "--persons=50", "--months=2", f"--out={tmp_path}")

        first_time = ["generate_province", "import_batch", "screen"]
        assert fake.names() == [*first_time, "import_batch", "screen"]

    def test_skips_screening_when_no_screen_command_exists(self, registry, tmp_path, monkeypatch):
        fake = FakeCommands(monkeypatch, with_screen=False)

        out, _ = run("demo", "--persons=50", "--months=2", f"--out={tmp_path}")

        assert fake.names() == ["generate_province", "import_batch"]
        assert "skipping screening" in out

    def test_a_failed_screening_is_reported_and_retried_next_time(
        self, registry, tmp_path, monkeypatch
    ):
        fake = FakeCommands(monkeypatch, screen_fails=True)
        _, err = run("demo", "--persons=50", "--months=2", f"--out={tmp_path}")
        fake.screen_fails = False

        run("demo", "--persons=50", "--months=2", f"--out={tmp_path}")

        assert "Screening failed" in err
        assert fake.names() == ["generate_province", "import_batch", "screen", "screen"]
        assert User.objects.filter(username="auditor").exists()

    def test_refuses_zero_persons(self, db, tmp_path):
        with pytest.raises(CommandError, match="at least 1"):
            run("demo", "--persons=0", "--months=2", f"--out={tmp_path}")


class TestDemoForReal:
    """generate_province and import_batch as they are; screening is the mocks' business."""

    def test_a_small_province_is_generated_imported_and_logins_made(
        self, db, tmp_path, monkeypatch
    ):
        registered = {k: v for k, v in demo.get_commands().items() if k != "screen"}
        monkeypatch.setattr(demo, "get_commands", lambda: registered)
        out_dir = tmp_path / "demo-data"

        out, _ = run("demo", "--persons=120", "--months=1", f"--out={out_dir}", "--seed=3")
        again, _ = run("demo", "--persons=120", "--months=1", f"--out={out_dir}", "--seed=3")

        assert (out_dir / "settlements.csv").exists()
        assert ImportBatch.objects.get().status == ImportBatch.Status.DONE
        assert Settlement.objects.exists()
        hospital = UserProfile.objects.get(user__username="hospital").institution
        assert hospital.kind == Institution.Kind.MEDICAL
        assert "not regenerating" in again
        assert "not importing again" in again
        assert "http://127.0.0.1:8000" in out
        assert (tmp_path / "static" / "medins" / "site.css").exists()  # served without DEBUG

"""python manage.py demo --persons N --months M --out DIR [--seed S]: a ready-to-browse demo.

Generates a synthetic province (skipped when DIR already holds one made with the same
parameters), imports it (skipped when this database already imported it), screens it when
the screening command is installed, and creates one login per role.
"""

from __future__ import annotations

import json
from importlib import import_module
from pathlib import Path

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max, Min
from django.utils import timezone

from medins.management.commands.create_demo_users import DEMO_PASSWORD
from screening.models import ScreeningRun
from settlement.models import ImportBatch, Settlement

STAMP = ".demo-stamp.json"  # in DIR: the parameters the batch there was generated with
URL = "http://127.0.0.1:8000"
# Apps that add demo data of their own (cases, policies, stations): each module, when it
# exists, has `demo_seed(*, stdout)`, idempotent, run after the logins exist.
DEMO_SEEDS = ("screening.audit.demo", "settlement.demo", "services.demo")


def stamp_matches(out: Path, parameters: dict[str, int]) -> bool:
    """Whether DIR holds a complete batch generated with exactly these parameters."""
    try:
        stamp = json.loads((out / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return stamp.get("parameters") == parameters


def stamp_write(out: Path, parameters: dict[str, int]) -> None:
    stamp = {"parameters": parameters, "generated_at": timezone.now().isoformat()}
    (out / STAMP).write_text(json.dumps(stamp, indent=2), encoding="utf-8")


def already_imported(out: Path) -> bool:
    """Whether this database holds a finished import of DIR (by either spelling of its path)."""
    sources = {str(out), str(out.resolve())}
    return ImportBatch.objects.filter(source__in=sources, status=ImportBatch.Status.DONE).exists()


def already_screened() -> bool:
    """Whether a screening run has finished in this database (a failed one is retried)."""
    return ScreeningRun.objects.filter(status=ScreeningRun.Status.DONE).exists()


class Command(BaseCommand):
    help = "Generate, import and screen a synthetic province, then create the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, required=True, help="insured persons")
        parser.add_argument("--months", type=int, required=True, help="months of settlements")
        parser.add_argument("--out", type=Path, required=True, help="batch folder")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--force", action="store_true", help="redo every step")

    def handle(self, *args: object, **options: object) -> None:
        out: Path = options["out"]
        parameters = {k: options[k] for k in ("persons", "months", "seed")}
        if parameters["persons"] < 1 or parameters["months"] < 1:
            raise CommandError("--persons and --months must be at least 1.")
        generated = self._generate(out, parameters, force=bool(options["force"]))
        imported = self._import(out, force=bool(options["force"]) or generated)
        if imported or not already_screened():
            self._screen()
        call_command("create_demo_users", stdout=self.stdout, stderr=self.stderr)
        self._seed_apps()
        # runserver without DEBUG serves static files only through WhiteNoise's STATIC_ROOT.
        call_command("collectstatic", "--no-input", verbosity=0)
        self._welcome()

    def _generate(self, out: Path, parameters: dict[str, int], *, force: bool) -> bool:
        if not force and stamp_matches(out, parameters):
            self.stdout.write(f"{out} already holds this batch ({parameters}): not regenerating.")
            return False
        self.stdout.write(f"Generating a province into {out} …")
        (out / STAMP).unlink(missing_ok=True)  # a half-written batch must not look complete
        options = {key: str(value) for key, value in parameters.items()}
        call_command(
            "generate_province",
            *[f"--{key}={value}" for key, value in options.items()],
            f"--out={out}",
            stdout=self.stdout,
            stderr=self.stderr,
        )
        stamp_write(out, parameters)
        return True

    def _import(self, out: Path, *, force: bool) -> bool:
        if not force and already_imported(out):
            self.stdout.write(f"This database already imported {out}: not importing again.")
            return False
        self.stdout.write(f"Importing {out} …")
        call_command("import_batch", str(out), stdout=self.stdout, stderr=self.stderr)
        return True

    def _screen(self) -> None:
        if "screen" not in get_commands():
            self.stdout.write("No screen command installed: skipping screening.")
            return
        window = Settlement.objects.aggregate(start=Min("begin_time"), end=Max("end_time"))
        if window["start"] is None:
            self.stdout.write("No settlements imported: nothing to screen.")
            return
        start, end = (timezone.localdate(window[key]) for key in ("start", "end"))
        self.stdout.write(f"Screening {start} – {end} …")
        try:
            call_command(
                "screen", f"--from={start}", f"--to={end}", stdout=self.stdout, stderr=self.stderr
            )
        except Exception as error:  # any failure: the logins are still worth making, so say it
            self.stderr.write(
                f"Screening failed ({type(error).__name__}: {error}); the demo runs without "
                "flags, and the next `manage.py demo` tries screening again."
            )

    def _seed_apps(self) -> None:
        for name in DEMO_SEEDS:
            try:
                module = import_module(name)
            except ModuleNotFoundError as error:
                if error.name != name:
                    raise
                continue
            module.demo_seed(stdout=self.stdout)

    def _welcome(self) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Open {URL} and log in as one of the users above."))
        self.stdout.write(f"Every demo login's password is {DEMO_PASSWORD} (demo only).")

"""python manage.py evaluate --truth truth.csv --flags flags.csv: precision and recall."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.evaluate import EvaluationError, evaluate_files, evaluate_scores, format_table


class Command(BaseCommand):
    help = "Compare flags.csv with a generator's truth.csv: TP, FP, FN, precision, recall."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--truth", required=True, help="truth.csv from generate_province")
        parser.add_argument("--flags", required=True, help="flags.csv from screen_batch")
        parser.add_argument(
            "--scores", metavar="DIR", help="also the ROC-AUC of the score files in DIR"
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            result = evaluate_files(truth=options["truth"], flags=options["flags"])
        except EvaluationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(format_table(result))
        if options["scores"]:
            for row in evaluate_scores(truth=options["truth"], folder=options["scores"]):
                auc = "-" if row["roc_auc"] is None else f"{row['roc_auc']:.3f}"
                self.stdout.write(
                    f"{row['rule_code']:<24} ROC-AUC {auc} "
                    f"({row['named']} named of {row['subjects']} scored)"
                )

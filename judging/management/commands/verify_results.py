"""Recompute every stored result from what it was computed from and report differences."""

from django.core.management.base import BaseCommand, CommandError

from judging.models import Round
from judging.selectors.result_checks import CHECKS


class Command(BaseCommand):
    help = (
        "Recompute each stored result — rankings of scoring rounds that are closed (or whose "
        "edition is in 公示, published or archived), confirmed plenary counts, confirmed "
        "awards — from the stored scores and votes (DESIGN.md §5), and compare case by case, "
        "named by reference number. Exits with status 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--round", type=int, action="append", dest="rounds", help="check only this round id"
        )
        parser.add_argument(
            "--include-open",
            action="store_true",
            help="also check tabulated rounds that are still open (interim rankings)",
        )

    def handle(self, *args, rounds=None, include_open=False, **options):
        if rounds and Round.objects.filter(pk__in=rounds).count() != len(set(rounds)):
            raise CommandError("unknown round id in --round")
        total = 0
        checked = {}
        for check in CHECKS:
            for report in check(rounds=rounds, include_open=include_open):
                checked[report.kind] = checked.get(report.kind, 0) + 1
                total += len(report.differences)
                if not report.differences:
                    self.stdout.write(f"OK    {report.label}")
                    continue
                self.stdout.write(f"DIFF  {report.label}: {len(report.differences)}")
                for line in report.differences:
                    self.stdout.write(f"      {line}")
        others = ", ".join(f"{n} {kind}" for kind, n in checked.items() if kind != "round")
        self.stdout.write(
            f"{checked.get('round', 0)} round(s) checked"
            + (f" ({others})" if others else "")
            + f", {total} difference(s)."
        )
        if total:
            raise CommandError(f"{total} difference(s) between stored and recomputed results.")

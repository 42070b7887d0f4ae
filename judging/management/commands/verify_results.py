"""Recompute every stored ranking from the stored criterion scores and report differences."""

from django.core.management.base import BaseCommand, CommandError

from judging.models import Round
from judging.selectors.ranking import ranking_differences, verifiable_rounds


class Command(BaseCommand):
    help = (
        "Recompute each tabulated scoring round that is closed, or whose edition is in 公示, "
        "published or archived, from the stored criterion scores (DESIGN.md §5), and compare "
        "with the stored entry scores, ranks and review scores. Exits with status 1 on any "
        "difference."
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
        if rounds:
            selected = list(Round.objects.filter(pk__in=rounds).select_related("edition"))
            if len(selected) != len(set(rounds)):
                raise CommandError("unknown round id in --round")
        else:
            selected = list(verifiable_rounds(include_open=include_open))
        total = 0
        for round_ in selected:
            differences = ranking_differences(round_)
            total += len(differences)
            if not differences:
                self.stdout.write(f"OK    round {round_.pk} {round_}")
                continue
            self.stdout.write(f"DIFF  round {round_.pk} {round_}: {len(differences)}")
            for d in differences:
                self.stdout.write(
                    f"      {d.reference} {d.what}: stored {d.stored}, recomputed {d.recomputed}"
                )
        if not rounds:  # the public votes (网络投票): votes and combined scores
            from judging.voting.verify import verify_public_vote

            total += verify_public_vote(self.stdout)
        self.stdout.write(f"{len(selected)} round(s) checked, {total} difference(s).")
        if total:
            raise CommandError(f"{total} difference(s) between stored and recomputed results.")

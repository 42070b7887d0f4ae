"""`manage.py verify_results` recomputes the public votes and the combined scores."""

import pytest
from django.core.management import CommandError, call_command

from judging.models import RoundEntry
from judging.voting import services
from judging.voting.models import PublicVote, PublicVoteTally

from .scenario import make_vote_scenario, make_voter

pytestmark = pytest.mark.django_db


def _closed_round():
    round_, cases, organiser = make_vote_scenario()
    for i in range(3):
        services.vote_cast(round=round_, case_id=cases[0].pk, voter=make_voter(f"{i}@x.org"))
    services.vote_cast(round=round_, case_id=cases[1].pk, voter=make_voter("b@x.org"))
    services.public_vote_close(round=round_, by=organiser)
    return round_, cases


def test_verify_results_passes_on_untouched_votes(capsys):
    round_, _ = _closed_round()
    call_command("verify_results")
    assert f"OK    public vote {round_.pk}" in capsys.readouterr().out


def test_verify_results_fails_on_a_tampered_count():
    _closed_round()
    PublicVoteTally.objects.filter(votes=1).update(votes=2)
    with pytest.raises(CommandError):
        call_command("verify_results")


def test_verify_results_fails_on_a_vote_deleted_behind_its_back():
    _closed_round()
    PublicVote.objects.order_by("pk").first().delete()
    with pytest.raises(CommandError):
        call_command("verify_results")


def test_verify_results_fails_on_a_tampered_score():
    round_, cases = _closed_round()
    RoundEntry.objects.filter(round=round_, case=cases[2]).update(score="99.0000")
    with pytest.raises(CommandError):
        call_command("verify_results")

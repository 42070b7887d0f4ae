"""Two tabs of the same judge saving at the same moment: one wins, the other is refused."""

import threading

import pytest
from django.db import connection

from judging.models import Review
from judging.services.reviews import StaleReview, review_save
from tests.judging import workspace_scenario

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_saves_from_the_same_version_never_both_win():
    s = workspace_scenario.build()
    criteria = list(s.round.criteria.all())
    barrier = threading.Barrier(2)
    outcomes = []

    def tab(value):
        try:
            barrier.wait(timeout=10)
            review_save(
                assignment=s.assignment,
                values={c.pk: value for c in criteria},
                comment=f"窗口{value}",
                submit=False,
                expected_version=0,
                by=s.judge.user,
            )
            outcomes.append("saved")
        except StaleReview:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=tab, args=(v,)) for v in ("3", "7")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["saved", "stale"]
    review = Review.objects.get()
    assert review.version == 1
    assert {score.value for score in review.scores.all()} == {
        int(review.comment.removeprefix("窗口"))
    }

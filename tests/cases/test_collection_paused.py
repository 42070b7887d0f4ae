"""`cases.bulk.collection_paused`: Python's automatic garbage collection paused for a bulk
operation, and resumed by the last of the blocks that overlap, only if it was on."""

import gc
import threading

import pytest

from cases.bulk import collection_paused


@pytest.fixture(autouse=True)
def collection_on():
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_resumed_after():
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_resumed_after_an_error():
    with pytest.raises(ZeroDivisionError), collection_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_nested_blocks_resume_at_the_outermost():
    with collection_paused():
        with collection_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_left_off_when_it_was_off():
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()


def test_overlapping_blocks_of_two_threads_resume_at_the_last_to_end():
    entered, first_may_end = threading.Event(), threading.Event()
    seen = []

    def first():
        with collection_paused():
            entered.set()
            first_may_end.wait(5)
        seen.append(gc.isenabled())

    thread = threading.Thread(target=first)
    thread.start()
    entered.wait(5)
    with collection_paused():
        first_may_end.set()
        thread.join(5)
        assert seen == [False]  # the other block ended first: still paused for this one
    assert gc.isenabled()

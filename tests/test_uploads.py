"""Uploads never stall or break answering for others (issue 31): the new index is built by a
separate process while questions are answered from the current one, then swapped in; one
writer at a time; caps refuse with the cap named; a file that fails leaves nothing on disk."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.config import Config
from rag.pipeline import Pipeline, RateLimit, UploadsBusy, WriterQueue, safe_file_name

from .conftest import SEEDS

GOOD = b"Ann Lee: The ferry to Kettle Island runs again next spring.\nTom Reyes: Not before the pier is fixed, I'm afraid.\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("upload-corpus")
    for name in ("000_40e17a0aaa5d46fb.txt", "metadata.toml"):
        shutil.copy(SEEDS / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def pipeline(corpus):
    return Pipeline(Config.from_env(corpus=corpus))


def _corpus_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# --- the pieces, alone --------------------------------------------------------------------
def test_writer_queue_serves_one_at_a_time_in_order_and_refuses_past_its_cap():
    queue = WriterQueue(limit=2)
    order, inside, most = [], [0], [0]
    gate = threading.Event()

    def writer(n: int) -> None:
        with queue.turn():
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            order.append(n)
            gate.wait(5)
            inside[0] -= 1

    threads = []
    for n in range(3):  # one writing, two waiting: the cap
        threads.append(threading.Thread(target=writer, args=(n,)))
        threads[-1].start()
        time.sleep(0.2)
    with pytest.raises(UploadsBusy, match="RAG_MAX_PENDING_UPLOADS"):
        with queue.turn():
            pass
    gate.set()
    for t in threads:
        t.join(10)
    assert order == [0, 1, 2] and most[0] == 1


def test_rate_limit_counts_files_per_session_in_a_sliding_minute():
    now = [1000.0]
    rate = RateLimit(5, clock=lambda: now[0])
    assert rate.take("a", 3) == 0.0 and rate.take("a", 2) == 0.0
    assert rate.take("a", 1) > 0  # a sixth file within the minute
    assert rate.take("b", 5) == 0.0  # another session has its own count
    now[0] += 61
    assert rate.take("a", 5) == 0.0
    assert RateLimit(0).take("x", 10**6) == 0.0  # 0: no cap


@given(st.text(min_size=1, max_size=400), st.sampled_from([".txt", ".md", ".vtt", ".srt", ".json"]))
@settings(max_examples=300, deadline=None)
def test_a_safe_name_is_short_plain_and_keeps_its_extension(stem, ext):
    name = safe_file_name(stem + ext)
    assert len(name) <= 120
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    if name:
        assert name.endswith(ext) or Path(name).suffix == ""  # kept, unless nothing but the extension was usable


def test_a_300_character_name_keeps_its_extension():
    name = safe_file_name("interview " * 30 + ".vtt")
    assert len(name) <= 120 and name.endswith(".vtt")


# --- the pipeline ---------------------------------------------------------------------------
def test_a_batch_is_all_or_nothing_per_file_and_the_good_files_are_searchable_on_return(pipeline, corpus):
    before = _corpus_files(corpus)
    nested = b"[" * 100_000 + b"]" * 100_000
    results = pipeline.add_files([("ferry.txt", GOOD), ("deep.json", nested), ("bin.txt", b"\x00\x01\x02" * 10),
                                  ("../../escape.txt", GOOD.replace(b"ferry", b"tram"))])
    by_name = {r.name: r for r in results}
    assert by_name["ferry.txt"].ok and by_name["ferry.txt"].passages >= 1
    assert not by_name["deep.json"].ok and by_name["deep.json"].reason
    assert not by_name["bin.txt"].ok and "binary" in by_name["bin.txt"].reason
    assert by_name["../../escape.txt"].ok and by_name["../../escape.txt"].saved_as == "escape.txt"
    after = _corpus_files(corpus)
    assert after - before == {"ferry.txt", "escape.txt"}  # nothing of the refused files, no staging folder
    # searchable now, without another call
    hits = pipeline.retriever.search("When does the ferry to Kettle Island run again?", k=3)
    assert hits[0].passage.source == "ferry.txt"
    assert "ferry.txt" in {s.source for s in pipeline.sources()}


def test_questions_are_answered_from_the_old_index_while_an_upload_is_indexed(pipeline, corpus):
    """The readers' lock is free the whole time the writer works; questions asked meanwhile
    see the previous generation, and the next one after the call returns sees the new file."""
    body = b"".join(b"Ann Lee: The lighthouse number %d was painted %s in the spring.\nTom Reyes: Then %d turned grey again.\n"
                    % (i, [b"red", b"blue", b"green"][i % 3], i) for i in range(400))
    question = "What colour was the lighthouse painted?"
    done, results = threading.Event(), []

    def upload():
        results.extend(pipeline.add_files([("lighthouse.txt", body)]))
        done.set()

    old_index = pipeline.index
    thread = threading.Thread(target=upload)
    thread.start()
    waits, answered_old = [], 0
    while not done.is_set():
        t0 = time.perf_counter()
        assert pipeline._lock.acquire(timeout=5), "a reader waited for the writer"
        pipeline._lock.release()
        waits.append(time.perf_counter() - t0)
        if pipeline.index is old_index:
            answer = pipeline.ask(question)
            answered_old += 1
            assert all(h.passage.source != "lighthouse.txt" for h in answer.hits)
        time.sleep(0.05)
    thread.join(60)
    assert results and results[0].ok, results
    assert answered_old >= 1 and max(waits) < 1.0
    answer = pipeline.ask(question)
    assert any(h.passage.source == "lighthouse.txt" for h in answer.hits)


def test_caps_refuse_with_the_cap_named(corpus):
    base = Pipeline(Config.from_env(corpus=corpus))
    few = Pipeline(Config.from_env(corpus=corpus, max_passages=len(base.index.passages) + 1), index=base.index)
    r = few.add_files([("many.txt", b"".join(b"A: Sentence %d is here. More words follow it.\nB: Reply %d, at length.\n"
                                               % (i, i) for i in range(50)))])
    assert not r[0].ok and "RAG_MAX_PASSAGES" in r[0].reason
    small = Pipeline(Config.from_env(corpus=corpus, max_corpus_mb=0.001), index=base.index)
    r = small.add_files([("small.txt", GOOD)])
    assert not r[0].ok and "RAG_MAX_CORPUS_MB" in r[0].reason
    slow = Pipeline(Config.from_env(corpus=corpus, max_uploads_per_minute=2), index=base.index)
    r = slow.add_files([("x.txt", b""), ("y.txt", b"")], session="s1")  # refused, but they count
    assert all("empty" in u.reason for u in r)
    r = slow.add_files([("z.txt", GOOD)], session="s1")
    assert not r[0].ok and "RAG_MAX_UPLOADS_PER_MINUTE" in r[0].reason
    assert not (corpus / "many.txt").exists() and not (corpus / "small.txt").exists() and not (corpus / "z.txt").exists()
    too_many = Pipeline(Config.from_env(corpus=corpus, max_upload_files=1), index=base.index)
    assert all("RAG_MAX_UPLOAD_FILES" in u.reason for u in too_many.add_files([("a.txt", GOOD), ("b.txt", GOOD)]))


def test_a_failed_index_update_takes_the_files_out_again(corpus):
    base = Pipeline(Config.from_env(corpus=corpus))
    broken = Pipeline(Config.from_env(corpus=corpus, index_type="nonsense"), index=base.index)
    before = _corpus_files(corpus)
    r = broken.add_files([("boat.txt", GOOD.replace(b"ferry", b"boat"))])
    assert not r[0].ok and "index could not be updated" in r[0].reason and "nonsense" in r[0].reason
    assert _corpus_files(corpus) == before
    assert broken.index is base.index  # still answering from what it had


def test_refresh_builds_apart_and_reports_its_stages(pipeline, corpus):
    (corpus / "by-hand.txt").write_bytes(GOOD.replace(b"ferry", b"cable car").replace(b"Kettle Island", b"Mount Orr"))
    heard: list[str] = []
    before = pipeline.index
    pipeline.refresh(progress=heard.append)
    assert pipeline.index is not before and "by-hand.txt" in {p.source for p in pipeline.index.passages}
    assert any("updating the index" in line for line in heard)
    heard.clear()
    r = pipeline.add_files([("tram.txt", GOOD.replace(b"ferry", b"tram"))], progress=heard.append)
    assert r[0].ok
    assert heard[0].startswith("checking 1 file") and heard[-1].startswith("searchable now")


def test_an_upload_that_takes_too_long_is_stopped_and_leaves_nothing(pipeline, corpus):
    hasty = Pipeline(Config.from_env(corpus=corpus, writer_timeout_s=0.5), index=pipeline.index)
    before = _corpus_files(corpus)
    r = hasty.add_files([("slow.txt", GOOD.replace(b"ferry", b"barge"))])
    assert not r[0].ok and "RAG_WRITER_TIMEOUT_S" in r[0].reason
    assert _corpus_files(corpus) == before and hasty.index is pipeline.index
    assert hasty.add_files([("next.txt", b"")])[0].reason  # the queue is free again


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["segments", "start", "end", "text", "speaker", "words", "x"]), inner, max_size=4),
    max_leaves=20)


@given(st.one_of(st.binary(max_size=2000).map(lambda b: (b, ".txt")),
                 st.binary(max_size=500).map(lambda b: (b, ".srt")),
                 st.binary(max_size=500).map(lambda b: (b"WEBVTT\n\n" + b, ".vtt")),
                 _JSON.map(lambda v: (__import__("json").dumps({"segments": v} if not isinstance(v, dict) else v).encode(), ".json")),
                 st.integers(1, 5000).map(lambda n: (b"[" * n + b"]" * n, ".json"))))
@settings(max_examples=300, deadline=None)
def test_any_upload_is_either_passages_or_a_reason(tmp_path_factory, case):
    """The check every uploaded file goes through (rag/update.py): whatever the bytes, a count
    of passages or a FormatError with its reason, never another exception."""
    from rag.errors import FormatError
    from rag.metadata import Metadata
    from rag.speakers import SpeakerNames
    from rag.update import check_file

    data, ext = case
    folder = tmp_path_factory.mktemp("probe")
    path = folder / f"upload{ext}"
    path.write_bytes(data)
    metadata = Metadata()
    try:
        n = check_file(path, path.name, folder, Config.from_env(), SpeakerNames(metadata.people), metadata)
    except FormatError as e:
        assert str(e)
    else:
        assert n >= 1

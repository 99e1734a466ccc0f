"""The chat page driven as a user's browser would, through gradio_client, against the app
served in this process (tests/conftest.py: ui_server) on a private copy of the seeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.config import DEFAULT_CORPUS, Config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(ui_server):
    from gradio_client import Client

    return Client(ui_server.url, verbose=False)


def ask(client, question: str, speaker: str = "", source: str = "", chat=None) -> str:
    """The page's reply to a question: the last chat message, as HTML."""
    chat_out, box = client.predict(question, chat or [], speaker, source, "extractive", api_name="/chat")
    assert box == ""  # the question box is cleared
    assert chat_out[-2]["role"] == "user" and chat_out[-1]["role"] == "assistant"
    return message_text(chat_out[-1])


def message_text(message: dict) -> str:
    content = message["content"]
    return "".join(part.get("text", "") for part in content) if isinstance(content, list) else str(content)


def card_speakers(html: str) -> list[str]:
    return re.findall(r'<span class="rag-who [^"]*">([^<]*)</span>', html)


def test_question_gets_answer_with_citation_cards(client):
    html = ask(client, "What keeps Khalid Amiri awake at night?")
    assert "rag-answer" in html and "rag-abstain" not in html
    assert '<a class="rag-cite" href="#rag-card-1-1"' in html and 'id="rag-card-1-1"' in html  # [1] -> card 1
    assert '<span class="rag-n">[1]</span>' in html
    assert 'class="rag-show" href="#show?source=' in html  # the way into the transcript at that place
    assert card_speakers(html)[0] == "Khalid Amiri"
    assert re.search(r"<mark>[^<]*awake at night[^<]*</mark>", html)


def test_unanswerable_question_abstains(client):
    html = ask(client, "What is Khalid Amiri's favourite football team?")
    assert "rag-abstain" in html and "Not in the transcripts" in html
    assert "<mark>" not in html and "rag-cite" not in html
    assert "rag-card" in html  # the closest mentions, as cards


def test_speaker_filter_restricts_the_cards(client):
    html = ask(client, "What did he say about the Taliban?", speaker="Ali Nazary")
    speakers = set(card_speakers(html))
    assert speakers == {"Ali Nazary"}, speakers


def test_source_filter_restricts_the_cards(client):
    html = ask(client, "What keeps Khalid Amiri awake at night?", source="000_40e17a0aaa5d46fb.txt")
    assert set(re.findall(r'<span class="rag-file">([^<]*)</span>', html)) == {"000_40e17a0aaa5d46fb.txt"}


def test_follow_up_uses_the_conversation(ui_server):
    from gradio_client import Client

    client = Client(ui_server.url, verbose=False)  # its own session: its own conversation
    chat, _ = client.predict("What does Khalid Amiri think about Russia?", [], "", "", "extractive", api_name="/chat")
    chat, _ = client.predict("What did he say about Pakistan?", chat, "", "", "extractive", api_name="/chat")
    assert len(chat) == 4
    assert re.search(r"Searched for: [^<]*Khalid Amiri", message_text(chat[-1]))


def test_gibberish_gets_no_citations_even_after_a_question(ui_server):
    from gradio_client import Client

    client = Client(ui_server.url, verbose=False)
    chat, _ = client.predict("asdfgh qwerty", [], "", "", "extractive", api_name="/chat")
    html = message_text(chat[-1])
    assert "I couldn't make out a question" in html and "rag-card" not in html and "rag-cite" not in html
    chat, _ = client.predict("What does Khalid Amiri think about Russia?", [], "", "", "extractive", api_name="/chat")
    assert "rag-cite" in message_text(chat[-1])
    chat, _ = client.predict("asdfgh qwerty", chat, "", "", "extractive", api_name="/chat")
    html = message_text(chat[-1])
    assert len(chat) == 4 and "I couldn't make out a question" in html
    assert "rag-card" not in html and "rag-cite" not in html and "Searched for" not in html


def test_a_filter_that_hides_the_person_asked_about_says_so(client):
    html = ask(client, "What keeps Khalid Amiri awake at night?", speaker="Ali Nazary")
    assert "hides Khalid Amiri" in html and "only words said by Ali Nazary" in html and "rag-clear" in html
    assert "Not in the transcripts" not in html
    html = ask(client, "What did Ali Nazary say about the Taliban?", speaker="Ali Nazary")  # the filter's own person
    assert "rag-filtered" not in html
    html = ask(client, "What keeps Khalid Amiri awake at night?", source="004_3131ce3db25c692d.txt")
    assert "hides Khalid Amiri" in html and "only the transcript" in html


def test_unclear_messages_and_hidden_people():
    from ui.app import unclear

    words = frozenset({"kalashnikov", "amiri"})
    for message in ("asdfgh qwerty", "zzkx", "???", "xqzt vbnm!"):
        assert unclear(message, words), message
    for message in ("Who is he?", "kalashnikov", "Amiri?", "and 1987?", "What did Nazary say about Doha?"):
        assert not unclear(message, words), message
    assert not unclear("Amiiri?", words, {"Amiiri": "Amiri"}.get)  # a typo of a transcript's word


def test_feedback_and_exports_hold_the_contracts_answer_objects(tmp_path):
    import json

    from rag.records import Answer, Citation, Passage
    from ui.app import append_feedback, export_files

    p = Passage("p1", "a.txt", "T", "Ann Lee", "interviewee", "Bees matter.", 0, 12)
    answer = Answer("Why bees?", "Ann Lee: “Bees matter.” [1]", False, (Citation.of(1, p, 0, 12),), ())
    feedback = tmp_path / "cache" / "feedback.jsonl"
    append_feedback(feedback, answer, "up", "corpus")
    append_feedback(feedback, answer, "down", "corpus")
    records = [json.loads(line) for line in feedback.read_text().splitlines()]
    assert [r["verdict"] for r in records] == ["up", "down"]
    assert records[0]["question"] == "Why bees?" and records[0]["answer"] == answer.to_json()
    abstained = Answer("Who won the cup?", "The transcripts don't say.", True, (), ())
    append_feedback(feedback, abstained, "up", "corpus", [{"role": "user", "content": "Why bees?"},
                                                           {"role": "assistant", "content": answer.text}])
    append_feedback(feedback, abstained, "down", "corpus")

    # rag eval --from-feedback: confirmed answers become ready cases, flagged ones drafts
    from evals.cases import parse_case
    from evals.feedback import cases_from_feedback

    lines = cases_from_feedback(feedback.read_text().splitlines())
    ready = [json.loads(line) for line in lines if not line.startswith("#")]
    drafts = [json.loads(line[2:]) for line in lines if line.startswith("# ")]
    assert [c["question"] for c in ready] == ["Who won the cup?"]  # "Why bees?": its latest thumb is down
    assert ready[0]["unanswerable"] is True and ready[0]["history"][0]["content"] == "Why bees?"
    assert {c["question"] for c in drafts} == {"Why bees?", "Who won the cup?"}
    for n, case in enumerate(ready):
        parse_case(case, f"case {n}", {"a.txt": "Bees matter."})  # valid as the case loader reads it
    up_only = cases_from_feedback([line for line in feedback.read_text().splitlines()
                                   if json.loads(line)["verdict"] == "up"])
    bees = parse_case(json.loads(up_only[0]), "bees", {"a.txt": "Bees matter."})
    assert bees.gold_quotes[0].quote == "Bees matter." and bees.expected_speakers == ("Ann Lee",)

    md, js = export_files([answer, answer], tmp_path / "out")
    assert json.loads(js.read_text()) == [answer.to_json(), answer.to_json()]
    assert md.read_text().count("## Why bees?") == 2


def test_empty_and_too_long_questions_get_a_message(client):
    chat, _ = client.predict("   ", [], "", "", "extractive", api_name="/chat")
    assert chat == []  # nothing asked, nothing shown
    html = ask(client, "why " * 1000)
    assert "rag-error" in html and "Traceback" not in html


def test_bad_upload_is_refused_and_good_upload_becomes_searchable(client, ui_server, tmp_path):
    from gradio_client import handle_file

    bad = tmp_path / "notes.txt"
    bad.write_bytes(b"\x00\x01\x02 binary \xff\xfe" * 50)
    odd = tmp_path / "slides.pdf"
    odd.write_bytes(b"%PDF-1.4 not a transcript")
    good = tmp_path / "lighthouse.txt"
    good.write_text(
        "Interview: Zara Quill on the lighthouse\n\n"
        "Host Person: What did the lighthouse keeper do with the boats?\n\n"
        "Zara Quill: The keeper painted every boat in the harbour purple in 1987, to scare away the gulls.\n\n"
        "Host Person: Why purple?\n\n"
        "Zara Quill: Purple was the only paint the island shop had left that winter.\n",
        encoding="utf-8",
    )
    before = {p.name for p in ui_server.corpus.iterdir()}
    out = client.predict([handle_file(str(bad)), handle_file(str(odd))], api_name="/add_transcripts")
    report = out[0]
    assert "notes.txt" in report and "slides.pdf" in report and report.count("not added") == 2
    assert {p.name for p in ui_server.corpus.iterdir()} == before  # nothing written

    out = client.predict([handle_file(str(good))], api_name="/add_transcripts")
    assert "lighthouse.txt" in out[0] and "added, 5 passages" in out[0]
    assert (ui_server.corpus / "lighthouse.txt").exists()
    assert "Zara Quill" in out[3]  # the Sources table lists the new transcript and its speaker

    html = ask(client, "What colour did the keeper paint the boats?")
    assert card_speakers(html)[0] == "Zara Quill"
    assert "purple" in html
    reader = client.predict("lighthouse.txt", api_name="/read_transcript")
    assert "<b class=\"rag-who" in reader and "Zara Quill" in reader


def test_default_corpus_is_served_from_a_library_copy(tmp_path):
    from ui.serve import serving_config

    config = Config.from_env(corpus=DEFAULT_CORPUS, cache_dir=tmp_path)
    seeds_before = sorted(p.name for p in DEFAULT_CORPUS.iterdir())
    served = serving_config(config)
    library = tmp_path / "library"
    assert served.corpus == library
    assert sorted(p.name for p in library.iterdir()) == seeds_before  # metadata.toml included
    assert (library / "metadata.toml").read_bytes() == (DEFAULT_CORPUS / "metadata.toml").read_bytes()
    (library / "uploaded.txt").write_text("A: x\nB: y\nA: z\n", encoding="utf-8")
    assert serving_config(config).corpus == library  # a second start keeps the library, uploads and all
    assert (library / "uploaded.txt").exists()
    assert sorted(p.name for p in DEFAULT_CORPUS.iterdir()) == seeds_before


def test_a_given_corpus_is_served_in_place(tmp_path):
    from rag.errors import UserError
    from ui.serve import serving_config

    assert serving_config(Config.from_env(corpus=tmp_path, cache_dir=tmp_path / "c")).corpus == tmp_path
    with pytest.raises(UserError, match="not a folder"):
        serving_config(Config.from_env(corpus=tmp_path / "missing", cache_dir=tmp_path / "c"))
    assert not (tmp_path / "c" / "library").exists()


def test_space_files_agree_with_the_package():
    """The Space installs from requirements.txt (before the repository is copied in, so not
    from pyproject): it must list every runtime dependency, and the README's front matter
    must name the installed gradio."""
    import gradio
    import tomllib

    root = Path(__file__).resolve().parent.parent
    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    requirements = (root / "requirements.txt").read_text()
    names = {re.split(r"[<>=!~\[ ]", line.strip())[0].lower() for line in requirements.splitlines()
             if line.strip() and not line.startswith(("#", "-"))}
    for dep in deps:
        name = re.split(r"[<>=!~\[ ]", dep)[0].lower()
        assert name in names or name == "gradio", f"requirements.txt lacks {name}"
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in requirements
    readme = (root / "README.md").read_text()
    assert readme.startswith("---\n")
    front = readme.split("---\n")[1]
    assert f"sdk_version: {gradio.__version__}" in front and "app_file: app.py" in front
    assert (root / "app.py").exists()


def test_serve_command_refuses_a_missing_corpus(tmp_path, capsys):
    from rag.cli import main

    assert main(["serve", "--corpus", str(tmp_path / "missing"), "--port", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a folder" in err[0]


class _Talking:
    """Stands in for Pipeline.ask's streaming contract (on_token gets each new piece) so the
    page's plumbing is tested without loading a language model; the real model's streaming
    is the generative answerer's own test."""

    def __init__(self, pieces, error=None):
        self.pieces, self.error = pieces, error

    def ask(self, question, on_token=None, **kwargs):
        from rag.records import Answer

        for piece in self.pieces:
            on_token(piece)
        if self.error:
            raise self.error
        return Answer(question, "".join(self.pieces), False, (), (), "generative")


def test_generative_answers_stream_piece_by_piece():
    from rag.errors import UserError
    from ui.app import _ask_streaming, _failure

    out = list(_ask_streaming(_Talking(["The ", "keeper ", "[1]"]), "q", answerer="generative"))
    assert [v for k, v in out if k == "partial"] == ["The ", "The keeper ", "The keeper [1]"]
    assert out[-1][0] == "answer" and out[-1][1].text == "The keeper [1]"
    with pytest.raises(UserError, match="no model"):
        list(_ask_streaming(_Talking(["a"], UserError("no model")), "q", answerer="generative"))
    assert _failure(UserError("no model"), "q", "generative") == "no model"
    assert "not available" in _failure(ImportError("gguf"), "q", "generative")
    assert "Traceback" not in _failure(RuntimeError("boom"), "q", "extractive")


def test_example_questions_come_from_the_corpus_metadata(tmp_path):
    import gradio as gr

    from rag.pipeline import Pipeline
    from ui.app import build_app

    (tmp_path / "talk.txt").write_text("Ann Lee: Bees matter.\nBo Park: Why?\nAnn Lee: Pollination.\nBo Park: Ok.\n",
                                       encoding="utf-8")

    def buttons(app) -> set[str]:
        return {b.value for b in app.blocks.values() if isinstance(b, gr.Button)}

    bare = build_app(Pipeline(Config.from_env(corpus=tmp_path, cache_dir=tmp_path / "cache")))
    assert "What keeps Khalid Amiri awake at night?" not in buttons(bare)  # no seed examples elsewhere
    (tmp_path / "metadata.toml").write_text('examples = ["Why do bees matter?"]\n', encoding="utf-8")
    offered = build_app(Pipeline(Config.from_env(corpus=tmp_path, cache_dir=tmp_path / "cache")))
    assert "Why do bees matter?" in buttons(offered)

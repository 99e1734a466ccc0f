"""Follow-up questions: make "What did he say about the ferry?" searchable on its own.

Example:
    history = [{"role": "user", "content": "What does Tom Reyes think of the new bridge?"},
               {"role": "assistant", "content": "Tom Reyes says the bridge ... [1]"}]
    contextualize("What did he say about the ferry?", history, names)
    -> "What did Tom Reyes say about the ferry?"

A pronoun that stands for a person (he, she, him, his, her) becomes the person the
conversation was last about: named in the previous question, else the speaker the last
answer quoted most. "And the second one?" after "What was the first condition ...?" becomes
"What was the second condition ...?"; another elliptical question ("what about that?")
keeps the previous question beside it so that retrieval sees what "that" means.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from .query import described, people_in, roster_asked, summary_asked, who_asks
from .speakers import SpeakerNames

_PERSON_PRONOUN = re.compile(r"\b(he|she|him|his|her|hers|himself|herself)\b", re.IGNORECASE)
_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|next|last|final|other)\b", re.IGNORECASE)
_ELLIPTICAL = re.compile(r"^(and|what about|how about|so|ok|okay|also|then|but)\b|\b(that|this|it|the second|the other|the first|them|they|ones)\b", re.IGNORECASE)


def last_person(history: Sequence[dict], names: SpeakerNames, speakers: set[str]) -> str | None:
    """Whom the conversation was last about: the latest question naming someone, else the
    speaker the answer to it quoted most ("Who is Tomas Berg?" answered with his host's words
    is about him, not her), and so back through the conversation."""
    turns = list(history)
    for i in range(len(turns) - 1, -1, -1):
        turn = turns[i]
        asked = turn if turn.get("role") == "user" else (turns[i - 1] if i and turns[i - 1].get("role") == "user" else None)
        if asked is not None and (people := people_in(str(asked.get("content", "")), names, speakers)):
            return people[0]
        if turn.get("role") == "assistant" and (people := people_in(str(turn.get("content", "")), names, speakers)):
            return Counter(people).most_common(1)[0][0]
    return None


def contextualize(question: str, history: Sequence[dict] | None, names: SpeakerNames, speakers: set[str]) -> str:
    """The question as a standalone search query."""
    if not history:
        return question
    query = question
    if _PERSON_PRONOUN.search(question) and not people_in(question, names, speakers):
        person = last_person(history, names, speakers)
        if person:
            def swap(m: re.Match) -> str:
                word = m.group(1).lower()
                return f"{person}'s" if word in ("his", "hers") else person

            query = _PERSON_PRONOUN.sub(swap, question, count=1)
            query = _PERSON_PRONOUN.sub(lambda m: m.group(0), query)
    previous = next((str(t.get("content", "")) for t in reversed(history) if t.get("role") == "user"), "")
    asked, before = _ORDINAL.search(question), _ORDINAL.search(previous)
    if asked and before and asked.group(1).lower() != before.group(1).lower() and len(question.split()) <= 8:
        # "What was the first condition ...?" then "and the second one?": the same question, second
        return previous[: before.start(1)] + asked.group(1).lower() + previous[before.end(1) :]
    # "Where was he before that?": the person is named now, but "that" is still the last question;
    # a short question is elliptical too ("Since when?"), unless it names whom it is about or
    # stands alone by its form ("Who interviewed Okafor?", "Who is Tom Reyes?", "Summarize it")
    short = len(question.split()) <= 6 and query == question and not people_in(question, names, speakers)
    standalone = who_asks(query) or summary_asked(query) or roster_asked(query) or bool(described(query, names, speakers))  # "who is he?" too
    if previous and not standalone and (_ELLIPTICAL.search(question) or short):
        query = f"{previous} {query}"
    return query

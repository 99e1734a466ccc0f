"""What a question says about where its answer is: who, in which source, asked by whom.

Example:
    intent = read_query("What did Lopez tell the Harbour Times about the sea wall?", ...)
    intent.people   -> ("Maria Lopez",)
    intent.sources  -> ("harbour-2024.txt",)   # its publication is named
    intent.about_asking -> False

Retrieval turns these into soft priors, not filters: a passage by the person named, or
from the source named, ranks higher, and nothing else is thrown away (a question may name
a person to ask what others said about them). Everything comes from the corpus itself and
its metadata; nothing here knows a particular transcript.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .chunking import ends_sentence
from .records import NARRATOR, Passage
from .speakers import SpeakerNames, name_key
from .terms import STOPWORDS

# "What did the interviewer ask", "Which question ...", "Did she ask him about ...", "What
# did the correspondent suggest": the one who asks, by role
ASKED = re.compile(r"\b(ask|asked|asks|question|interview(ed)? (him|her)"
                   r"|(interviewer|correspondent|host|journalist|reporter|presenter|moderator)s?)\b", re.IGNORECASE)
# "the first / opening question", "the last thing the interviewer asked"
_FIRST = re.compile(r"\b(first|opening|initial)\b", re.IGNORECASE)
_LAST = re.compile(r"\b(last|final|closing)\b", re.IGNORECASE)
MAX_NAME_WORDS = 5
_CAPITALISED = re.compile(r"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*")
_WORD = re.compile(r"[a-z][a-z’'-]+")


@dataclass(frozen=True)
class QueryIntent:
    people: tuple[str, ...] = ()  # speakers of the corpus the question names
    sources: tuple[str, ...] = ()  # sources whose publication the question names
    about_asking: bool = False  # it asks what an interviewer asked
    ordinal: str = ""  # "first" or "last": it asks for the first or the last question asked
    describes: str = ""  # "Who is X?": the person it asks about (what others say of them)
    summary: bool = False  # "Summarize the Herald piece": it asks what a source is about
    age: bool = False  # "How old is Okafor?": it asks a person's age
    roster: bool = False  # "Who are the speakers?": it asks who speaks in the transcripts
    enumerated: str = ""  # "What was the second demand?": the numbered item it asks for ("second")
    reacts: str = ""  # "How did Ross react when ...?": the speaker whose reply it asks for


def people_in(text: str, names: SpeakerNames, speakers: set[str]) -> list[str]:
    """Speakers of the corpus named in a text, in order of appearance. A question typed all
    in lower case ("what does dana okafor want") is read as if its words were capitalised."""
    found: list[str] = []
    for who, _, _ in name_spans(text, names, speakers):
        if who not in found:
            found.append(who)
    return found


def name_spans(text: str, names: SpeakerNames, speakers: set[str]) -> list[tuple[str, int, int]]:
    """(speaker, start, end) of each place a text names a speaker of the corpus, in order."""
    spans: list[tuple[str, int, int]] = []
    if text[1:] == text[1:].lower():  # no capital after the first letter: typed in lower case
        text = re.sub(r"\b[a-z]", lambda m: m.group(0).upper(), text)
    owners = _name_owners(frozenset(speakers))  # once: a frozenset of the speakers is hashed once
    for run in _CAPITALISED.finditer(text):
        words = [(m.group(0), run.start() + m.start(), run.start() + m.end()) for m in re.finditer(r"\S+", run.group(0))]
        for i in range(len(words)):
            # a name is at most MAX_NAME_WORDS words ("General Dana Okafor Reyes"): a long
            # capitalised run (a question typed in lower case) costs linear time, not quadratic
            for j in range(min(len(words), i + MAX_NAME_WORDS), i, -1):
                name = " ".join(w for w, _, _ in words[i:j])
                who = names.known(name)
                if who not in speakers:  # a speaker the metadata does not know: by their name's words
                    who = owners.get(name_key(name))
                if who in speakers:
                    spans.append((who, words[i][1], words[j - 1][2]))
    return spans


def without_people(text: str, names: SpeakerNames, speakers: set[str]) -> str:
    """The text with the names of speakers taken out ("What does Okafor's union want?" ->
    "What does union want?"): what it asks, apart from whom it asks about."""
    out, at = [], 0
    for _, start, end in name_spans(text, names, speakers):  # a name inside a name: overlapping spans
        out.append(text[at:max(at, start)])
        at = max(at, end)
        possessive = re.match(r"[’']s\b", text[at:])
        at += possessive.end() if possessive else 0
    out.append(text[at:])
    return re.sub(r"\s+", " ", "".join(out)).strip()


def speaker_by_name(name: str, speakers: Iterable[str]) -> str | None:
    """A speaker of the corpus that the metadata may not know (an uploaded transcript's
    `Jane Doe:`), by full name or by a first name or surname only they carry."""
    return _name_owners(frozenset(speakers)).get(name_key(name))


def speakers_carrying(name: str, speakers: Iterable[str]) -> frozenset[str]:
    """Every speaker a name may mean: "Dana" -> {"Dana Okafor", "Dana Lee"}."""
    return _name_carriers(frozenset(speakers)).get(name_key(name), frozenset())


_TOGETHER = re.compile(r"\s(?:and|&)\s", re.IGNORECASE)


@lru_cache(maxsize=64)
def _name_carriers(speakers: frozenset[str]) -> dict[str, frozenset[str]]:
    """Full name, first name or surname -> the speakers who carry it."""
    carriers: dict[str, set[str]] = {}
    for s in speakers:
        key = name_key(s)
        if not key or s == NARRATOR:
            continue
        words = key.split()
        # a turn said together ("Chandler Bing and Joey Tribbiani") is nobody's by one name
        parts = {key} if _TOGETHER.search(s) else {key, words[0], words[-1]}  # (the name as said: name_key drops "&")
        for k in parts - STOPWORDS:  # "Will Smith" is not "what will happen"
            carriers.setdefault(k, set()).add(s)
    return {k: frozenset(v) for k, v in carriers.items()}


@lru_cache(maxsize=64)
def _name_owners(speakers: frozenset[str]) -> dict[str, str]:
    """Full name, first name or surname -> the one speaker who carries it ("Chandler" ->
    "Chandler Bing" when no other speaker is called Chandler)."""
    return {k: next(iter(v)) for k, v in _name_carriers(speakers).items() if len(v) == 1}


# Words a question uses about any interview, which name no publication even when one
# publication's description holds them ("a summary of the ... interview").
_ANY_INTERVIEW = frozenset("interview interviews interviewed interviewer conversation transcript talk "
                           "correspondent reporter journalist host".split())


def publication_words(publications: Mapping[str, str],
                      aliases: Mapping[str, Sequence[str]] | None = None) -> dict[str, frozenset[str]]:
    """Per source, the words of its publication's name that tell it apart: a word shared by
    more than half of the sources ("the", "news") names none of them. The metadata's other
    names for a publication count whole, short ones too ("HN")."""
    aliases = aliases or {}
    words = {s: frozenset(w for w in _WORD.findall(pub.lower()) if w not in STOPWORDS and w not in _ANY_INTERVIEW and len(w) > 2)
             | frozenset(w for a in aliases.get(s, ()) for w in _WORD.findall(a.lower()) if w not in STOPWORDS)
             for s, pub in publications.items()}
    df = Counter(w for ws in words.values() for w in ws)
    limit = max(1, len(words) // 2)
    return {s: frozenset(w for w in ws if df[w] <= limit) for s, ws in words.items()}


def sources_named(query: str, source_words: Mapping[str, frozenset[str]]) -> tuple[str, ...]:
    """The sources whose publication the question names ("in the Herald piece")."""
    said = set(_WORD.findall(query.lower()))
    return tuple(s for s, ws in source_words.items() if ws & said)


def read_query(query: str, names: SpeakerNames, speakers: frozenset[str] | set[str],
               source_words: Mapping[str, frozenset[str]]) -> QueryIntent:
    sources = sources_named(query, source_words)
    people = tuple(p for p in people_in(query, names, speakers) if p != NARRATOR)
    return QueryIntent(people, sources, bool(ASKED.search(query)) or who_asks(query), ordinal_asked(query),
                       described(query, names, speakers), summary_asked(query), bool(AGE_QUESTION.search(query)),
                       roster_asked(query, source_words), enumerated(query), reacting(query, names, speakers))


# "How did Ross react to ...?", "How does Rachel respond when ...", "What was Ross's reaction?"
_REACTED = re.compile(r"\bhow\s+(?:did|does|do|would|will|could)\s+(?P<who>[^?,]{1,60}?)\s+(?:react|respond|reply|answer|take\s+it)\b"
                      r"|\bwhat\s+(?:was|is|were)\s+(?P<who2>[^?,]{1,60}?)['’]s?\s+(?:reaction|response|reply|answer)\b",
                      re.IGNORECASE)


def reacting(query: str, names: SpeakerNames, speakers: frozenset[str] | set[str],
             present: Iterable[str] = ()) -> str:
    """The speaker a question asks the reply of ("How did Ross react when Rachel ...?" ->
    Ross Geller), or "" when it asks for none or names no one speaking. A first name several
    speakers carry means the one of them who is `present` (speaks where the question looks).
    The question must say to what ("... when Ann sold the lighthouse")."""
    m = _REACTED.search(query)
    if not m or not any(w.lower() not in STOPWORDS for w in _WORD.findall(query[m.end():].lower())):
        return ""  # "How did Tom react?": to what, it does not say
    who = m.group("who") or m.group("who2")
    found = [p for p in people_in(who, names, set(speakers)) if p != NARRATOR]
    if not found and len(who.split()) == 1:
        found = sorted(speakers_carrying(who, speakers) & set(present))
    return found[0] if len(found) == 1 else ""


# "How old is Okafor?", "What is Okafor's age?", "what ages do they give"; and how a writer
# gives one: "Okafor, 52, ...", "the 52-year-old", "52 years old", "aged 52"
AGE_QUESTION = re.compile(r"\bhow old\b|\bwhat ages?\b(?!\s+(?:group|range|bracket|limit))|(?:['’]s|\bhis|\bher|\btheir|\bthe)\s+ages?\b|\bages?\s+of\b", re.IGNORECASE)
AGE = re.compile(r"\b\d{1,3}-year-old\b|\b\d{1,3}\s+years?\s+old\b|\b[A-Z][\w’'-]+,\s*\d{1,3},|\baged\s+\d{1,3}\b")


# "Summarize the Herald piece", "give me an overview of the interview with Okafor", "What is
# the podcast about?": a source as a whole. Not "Summarize the discussion about the pier",
# which asks about a topic and is searched by its words.
_SOURCE_NOUN = r"(?:article|interview|piece|transcripts?|podcast|episode|conversation|story|talk|meeting|post|sources?)"
_SUMMARY = re.compile(r"^\s*(?:(?:can|could)\s+you\s+)?(?:please\s+)?"
                      r"(?:(?:summari[sz]e|sum\s+up|give\s+(?:me\s+)?(?:a\s+|an\s+|the\s+)?(?:summary|overview|gist)\s+of)"
                      r"\s+(?:the\s+|this\s+|that\s+)?(?:[\w’'-]+\s+){0,3}" + _SOURCE_NOUN +
                      r"(?:\s+(?:with|of|by|from)(?:\s+[\w’'-]+){1,4})?"
                      r"|what(?:\s+is|'s|’s)\s+(?:the\s+|this\s+|that\s+)?(?:[\w’'-]+\s+){0,3}" + _SOURCE_NOUN + r"\s+about)"
                      r"[\s?.!]*(?:please[\s?.!]*)?$", re.IGNORECASE)


def summary_asked(query: str) -> bool:
    """Does the question ask what a source as a whole is about?"""
    return bool(_SUMMARY.search(query))


# "Who is X?", "who was X", "Tell me about X", "What do we know about X?"
_DESCRIBE = re.compile(r"^\s*(?:who\s+(?:is|was)|who[’']s|tell\s+me\s+(?:more\s+)?about|what\s+do\s+(?:we|you)\s+know\s+about)"
                       r"\s+(?P<who>[^?!.]{2,80}?)[\s?!.]*$", re.IGNORECASE)
# "What is X's job?", "what was X's role", "What does X do?": who X is, by what they do
_DESCRIBE_WORK = re.compile(r"^\s*(?:what\s+(?:is|was)|what[’']s)\s+(?P<who>[^?!.]{2,60}?)[’']s?\s+"
                            r"(?:job|role|position|title|occupation|profession|work|post)\s*[?!.]*$"
                            r"|^\s*what\s+(?:does|did)\s+(?P<who2>[^?!.]{2,60}?)\s+do(?:\s+for\s+a\s+living)?\s*[?!.]*$",
                            re.IGNORECASE)


def described(query: str, names: SpeakerNames, speakers: frozenset[str] | set[str]) -> str:
    """The person a "Who is X?" ("What is X's job?") question asks about: X is all the
    question names, and a person of the metadata or a speaker ("Who is fighting in the
    north?" names no one)."""
    m = _DESCRIBE.match(query) or _DESCRIBE_WORK.match(query)
    if m is None:
        return ""
    who = (m.group("who") or m.group("who2")).strip()
    typed = re.sub(r"\b[a-z]", lambda c: c.group(0).upper(), who) if who[1:] == who[1:].lower() else who
    # someone the corpus knows, or a full name it may never mention ("Who is Priya Shah?")
    return names.known(typed) or speaker_by_name(typed, speakers) or (who if names.is_person(who) else "")


# "Who are the speakers?", "Who is interviewed in the Herald piece?", "List the people in
# these transcripts": who speaks, not what anyone says. Whatever follows the head may only
# name the transcripts or a publication ("Who speaks about the pier?" asks about the pier).
_ROSTER = re.compile(
    r"^\s*(?:(?:can|could)\s+you\s+)?(?:please\s+)?"
    r"(?:who\s+(?:are|were)\s+(?:all\s+)?(?:the\s+)?(?:speakers|people|persons|interviewees|guests|participants|voices)"
    r"|who\s+(?:speaks|talks|is\s+speaking|(?:is|was|are|were|gets|got)\s+(?:interviewed|quoted))"
    r"|(?:list|name|show)\s+(?:me\s+)?(?:all\s+)?(?:the\s+)?(?:speakers|people|interviewees|guests|participants)"
    r"|(?:which|what)\s+(?:speakers|people|persons|interviewees|guests)\s+(?:are|speak|talk|appear|were)"
    r"|who\s+(?:is|was)\s+(?:the|our|your|today[’']s|this\s+\w+[’']s)\s+(?:guest|interviewee)"
    r")\b(?P<rest>[^?!]*)[\s?!.]*$", re.IGNORECASE)
# ... and of them, only those interviewed: "Who is the guest?", "who was interviewed"
_GUESTS = re.compile(r"\b(?:guests?|interviewees?|interviewed)\b", re.IGNORECASE)
_ROSTER_PLACES = frozenset("transcripts transcript corpus collection documents document files file sources source "
                           "interviews interview articles article pieces piece texts text podcasts podcast episodes "
                           "episode conversations conversation here there all please".split())


def roster_asked(query: str, source_words: Mapping[str, frozenset[str]] | None = None) -> bool:
    """Does the question ask who speaks in the transcripts (or in a publication it names)?
    Without `source_words`, any capitalised word may name a publication ("in the Herald")."""
    m = _ROSTER.match(query)
    if m is None:
        return False
    rest = [w for w in _WORD.findall(m.group("rest").lower()) if w not in STOPWORDS]
    capitalised = frozenset(w.lower() for w in re.findall(r"\b[A-Z][\w’'-]*", m.group("rest")))
    if source_words is None:
        named = capitalised
    else:  # a publication's distinguishing word ("Times"), and the rest of its name ("the Harbour Times")
        named = frozenset().union(*source_words.values())
        named = named | capitalised if named & set(rest) else named
    return all(w in _ROSTER_PLACES or w in named for w in rest)


def guests_asked(query: str, source_words: Mapping[str, frozenset[str]] | None = None) -> bool:
    """Does a roster question ask only for those interviewed ("Who is the guest?")?"""
    m = _ROSTER.match(query)
    return m is not None and _GUESTS.search(m.group(0)) is not None and roster_asked(query, source_words)


_TOPIC = re.compile(r"\b(about|regarding|concerning)\s+\w", re.IGNORECASE)


# "Who interviewed X?", "who is interviewing her", "Who was the host?"
_WHO_ASKS = re.compile(r"^\s*who\s+(?:interviews|interviewed|hosts|hosted|(?:is|was)\s+(?:interviewing|hosting)|"
                       r"has\s+(?:interviewed|hosted)|(?:is|was)\s+the\s+(?:interviewer|host|correspondent|reporter|"
                       r"journalist|moderator|presenter))\b", re.IGNORECASE)  # not "who was interviewed": the answerer


def who_asks(query: str) -> bool:
    """Does the question ask who put the questions (the interviewer, the host)?"""
    return bool(_WHO_ASKS.search(query))


def ordinal_asked(query: str) -> str:
    """ "first" / "last" when the question asks for the first or last question put (and
    not for the first question on a topic, which is found by its words). "Who interviewed
    X?" is "first" too: the first question of each of X's interviews names who asked it."""
    if who_asks(query):
        return "first"
    if not ASKED.search(query) or _TOPIC.search(query):
        return ""
    return "first" if _FIRST.search(query) else "last" if _LAST.search(query) else ""


# "What was the second demand?", "what's his third point": the item asked for is one its
# speaker or writer numbered. Not "the first question" (ordinal_asked: found by its place),
# "the first time", or an ordinal that is no item asked for ("since its first stint in power").
_TIMES = r"(?:time|times|day|days|week|weeks|month|months|year|years|night|minute|minutes|hour|hours)\b"
_ENUMERATED = re.compile(rf"\b(?:what|which)(?:'s|\s+(?:was|is|were|are))\s+(?:the|his|her|their|its|your|my)\s+"
                         rf"(first|second|third|fourth|fifth|sixth|last|final)\s+(?!{_TIMES})[a-z]{{3,}}", re.IGNORECASE)
_ORDINAL = r"(first|second|third|fourth|fifth|sixth)"
# how a text numbers an item: "Secondly", "Second, ...", "the second demand", "lastly"
_NUMBERING = re.compile(rf"\b(?:{_ORDINAL}ly|{_ORDINAL},|(?:the|his|her|their|its|our|my|a)\s+{_ORDINAL}\s+(?!{_TIMES})[a-z]"
                        rf"|(lastly|finally|the\s+(?:last|final)\s+(?!{_TIMES})[a-z]))")


def enumerated(query: str) -> str:
    """ "second" for "What was the second demand?": the question asks for an item someone
    numbered ("The second demand ... has to do with religion"); "" otherwise."""
    if ordinal_asked(query):
        return ""
    m = _ENUMERATED.search(query)
    if not m:
        return ""
    word = m.group(1).lower()
    return "last" if word == "final" else word


def numbered_items(text: str) -> set[str]:
    """The ordinals a text numbers items with: {"second"} for "Secondly, ..." or "The
    second demand ..."; "last" for "lastly", "finally", "the last"."""
    return {m.group(1) or m.group(2) or m.group(3) or "last" for m in _NUMBERING.finditer(text.lower())}


def is_fragment(p: Passage) -> bool:
    """A heading, caption, tag line or link title: a few words of the writer's, or a line in
    Title Case, that is no sentence. They share the topic words of every question about
    their topic and answer none."""
    if p.speaker != NARRATOR or ends_sentence(p.text):
        return False
    words = p.text.split()
    if len(words) < 12 or _title_case(words) >= 0.7:
        return True
    # Title Case as titles have it, function words lower ("The Fight for a Peaceful Harbour"),
    # in one line that holds no sentence end ("... is in North Bay. Photos courtesy of ..." does)
    content = [w for w in words if w.lower() not in STOPWORDS]
    if _INNER_SENTENCE_END.search(p.text):
        return False
    # ... or a page or video title's parts: "Their views - part 2 - a speech in the mosque"
    return bool(content) and _title_case(content) >= 0.7 or len(_TITLE_PARTS.findall(p.text)) >= 2


_TITLE_PARTS = re.compile(r"\s[-–—|]\s")
_INNER_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+[A-Z“\"]")


def _title_case(words: list[str]) -> float:
    return sum(w[:1].isupper() or not w[:1].isalpha() for w in words) / len(words)


def speakers_by_source(passages: Iterable[Passage]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for p in passages:
        out.setdefault(p.source, set()).add(p.speaker)
    return {s: frozenset(v) for s, v in out.items()}


def roles_by_speaker(passages: Iterable[Passage]) -> dict[str, dict[str, str]]:
    """Per speaker, per source they speak in, the part they play there (the role most of
    their passages have: "interviewee", "interviewer", "quoted", "speaker"), in document order."""
    counts: dict[str, dict[str, Counter[str]]] = {}
    for p in passages:
        if p.speaker != NARRATOR:
            counts.setdefault(p.speaker, {}).setdefault(p.source, Counter())[p.role] += 1
    return {speaker: {source: c.most_common(1)[0][0] for source, c in by_source.items()} for speaker, by_source in counts.items()}

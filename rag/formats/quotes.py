"""Quotations in prose: who said the words between the quotation marks.

Example:
    '"We need the money," she said. "We can\\'t wait another year."' after a paragraph naming
    Okafor gives two quoted segments by Okafor; the words `she said.` are attribution,
    not a passage of their own.

Journalistic conventions this follows:
- an attribution next to the quote: `"...," Okafor said`, `"...," he added, "..."`,
  `Sam Whitfield, who runs ..., told Radio North`, `X tweeted`, `said Okafor`;
- an attribution earlier in the same sentence: `Okafor said the council "wants a deal"`;
- `he`/`she` refers to the last person named as speaking;
- a long quotation with no attribution continues the last speaker (a paragraph that is
  all quote); a short one with none is scare quotes ("so-called "Queen of the Harbour"") and
  stays with the narrator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..speakers import SpeakerNames
from ..terms import STOPWORDS

SPEECH_VERBS = (
    "said|says|say|told|tells|added|adds|argued|argues|tweeted|tweets|wrote|writes|asked|asks"
    "|explained|explains|noted|notes|stated|states|continued|insisted|insists|warned|warns"
    "|stressed|stresses|emphasized|emphasised|replied|replies|recalled|claimed|claims|declared"
    "|announced|posted|acknowledged|admitted|answered|responded|saying|adding|telling|arguing"
    "|writing|noting|warning|according to|called|described|dubbed|termed|branded"
)
_VERB = rf"(?<![\w-])(?:{SPEECH_VERBS})\b"  # ("so-called" is no attribution)
# Verbs of speech that attribute only beside a quotation, as fiction writes them ("cried
# his wife", "returned she"): alone in narration, "he returned home" says nothing
_BESIDE = (
    "cried|exclaimed|returned|rejoined|retorted|whispered|shouted|murmured|muttered|observed"
    "|remarked|repeated|interrupted|demanded|inquired|enquired|laughed|sighed|sobbed|gasped"
    "|called|echoed|suggested|protested|pleaded|faltered|groaned|growled|snapped|began|went on"
    "|resumed|persisted|ventured|pursued|thought|screamed|yelled|roared|bawled|drawled|stammered"
    "|grumbled|answers|cries|exclaims|returns|whispers|shouts|murmurs|mutters|observes|remarks"
)
_QUOTE_VERB = rf"(?<![\w-])(?:{SPEECH_VERBS}|{_BESIDE})\b"
_NAME = r"(?:[A-Z][\w’'.-]*[ \t]+){0,3}[A-Z][\w’'-]*"
_PRONOUN = r"\b(?:he|she|He|She)\b"
# `Okafor said`, `Sam Whitfield, who runs the hives, told`
_SUBJECT_VERB = re.compile(rf"(?P<who>\b{_NAME}|{_PRONOUN})\s*(?:,[^\"“”,]{{1,160}},\s*)?{_VERB}")
# `said Okafor`, `according to Okafor`
_VERB_SUBJECT = re.compile(rf"{_VERB}\s+(?P<who>{_NAME})")
# beside a quotation: `cried Jo`, `returned she`, `Jo cried`
_BESIDE_SUBJECT_VERB = re.compile(rf"(?P<who>\b{_NAME}|{_PRONOUN})\s*(?:,[^\"“”,]{{1,160}},\s*)?{_QUOTE_VERB}")
_BESIDE_VERB_SUBJECT = re.compile(rf"^[\s,;:—–-]*{_QUOTE_VERB}\s+(?P<who>{_NAME}|{_PRONOUN})")
# a name spoken to: `Mr. Crane, you will drown`, `My dear Maud,`, `... do you, Maud?`
_VOCATIVE = re.compile(rf"^\W*(?:(?:[Mm]y\s+)?(?:dear|good|poor)\s+)?(?P<who>{_NAME})\s*[,!]"
                       rf"|,\s*(?:(?:my\s+)?(?:dear|good|poor)\s+)?(?P<end>{_NAME})\s*[.?!]*\W*$")
# `he added`, `continued she`: the last speaker goes on
_CONTINUING = re.compile(rf"(?:{_PRONOUN}\s+(?:added|adds|continued|continues|went\s+on|resumed|persisted|pursued)\b"
                         rf"|(?:added|continued|went\s+on|resumed|persisted|pursued)\s+{_PRONOUN})")
# `said the parson.`, `cried his wife impatiently`, `whispered the housekeeper to the cook`:
# a person the writer describes rather than names
_DETERMINER = r"(?:[Tt]he|[Hh]is|[Hh]er|[Tt]heir|[Mm]y|[Oo]ur|[Aa]n?)"
_DESCRIBED = re.compile(rf"^[\s,;:—–-]*{_QUOTE_VERB}\s+(?P<det>{_DETERMINER})\s+(?P<words>(?:[a-z][\w-]*\s*){{1,3}})")
# `the boy said`, `a voice cried` right after the quote
_DESCRIBED_SUBJECT = re.compile(rf"^[\s,;:—–-]*(?P<det>{_DETERMINER})\s+(?P<words>(?:[a-z][\w-]*\s+){{1,2}}){_QUOTE_VERB}")


def _described(fragment: str) -> str | None:
    """"the old man" in `said the old man to ...`: the words after the determiner up to a
    small word or an adverb, at most two."""
    m = _DESCRIBED.search(fragment) or _DESCRIBED_SUBJECT.search(fragment)
    if not m:
        return None
    words = []
    for w in m["words"].split():
        if w in STOPWORDS or w.endswith("ly"):
            break
        words.append(w)
    return f"{m['det'].lower()} {' '.join(words)}" if 0 < len(words) <= 2 else None


# `Okafor shared her own view, saying there was` (the subject opens the sentence)
_OPENING_SUBJECT = re.compile(rf"^\s*(?:(?:And|But|So|Then|Yet)\s+)?(?P<who>{_NAME})\b[^\"“”]*?\b{_VERB}")
# A sentence's end: not the full stop of "Mr." (`said Mr. Crane`)
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bMrs\.)\s")
_OPENERS = {'"': '"', "“": "”"}
_SINGLE_CLOSE = re.compile(r"’(?!\w)")
MIN_UNATTRIBUTED_WORDS = 5  # shorter unattributed quotes are scare quotes
# A dialogue goes on across this many paragraphs of narration alone ("Mr. Crane made no
# answer."), as long as the next paragraph opens with a quotation
_DIALOGUE_PAUSE = 3
_ANTECEDENT_CHARS = 1500  # how far back "he said" looks for the person it means


@dataclass(frozen=True)
class Piece:
    """A span of a paragraph: a quotation (speaker set) or narration (speaker None)."""

    start: int
    end: int
    speaker: str | None


def quote_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Inner spans of balanced double quotations ("..." or “...”) in text[start:end]."""
    spans, i = [], start
    while i < end:
        ch = text[i]
        if ch == "‘" and (i == start or not text[i - 1].isalnum()):
            # British single quotes (‘Old friends,’ said he): the closer is a ’ that no letter
            # follows, not the apostrophe of "don’t"
            close = next((m.start() for m in _SINGLE_CLOSE.finditer(text, i + 1, end)), -1)
            if close >= 0:
                spans.append((i + 1, close))
                i = close + 1
                continue
            i += 1
        elif ch in _OPENERS:
            close = text.find(_OPENERS[ch] if ch == "“" else '"', i + 1, end)
            if ch == "“" and close < 0:
                close = text.find('"', i + 1, end)
            if close < 0:
                break  # unbalanced: the rest is narration
            spans.append((i + 1, close))
            i = close + 1
        else:
            i += 1
    return spans


def _is_sentence(quote: str) -> bool:
    """`We can't wait another year.` is speech; `Queen of the Harbour` is a nickname in scare quotes."""
    return quote[:1].isupper() and quote[-1:] in ".!?,"


class QuoteAttributor:
    """Walks a document's prose paragraphs in order, remembering the last speaker."""

    def __init__(self, names: SpeakerNames):
        self.names = names
        self.last_speaker: str | None = None
        self.text = ""
        self._paragraphs_since_speaker = 0
        # the speakers of the quotation paragraphs just before, newest last: a dialogue
        # (cleared by more than _DIALOGUE_PAUSE paragraphs of narration alone)
        self._exchange: list[str] = []
        self._opens_quote = False  # does the paragraph being read open with a quotation?
        self._narrated = 0  # paragraphs of narration alone since the last quotation
        self._at = 0  # where the quotation being attributed starts
        self._addressed: str | None = None  # whom the last quotation paragraph spoke to by name
        self._taking_turns = False  # was the last quotation paragraph a reply nobody named?
        self._replied = False  # is this one?

    def _antecedent(self) -> str | None:
        """Whom "he said" means where nobody has spoken yet: the person last named in the
        narration before the quote (a capitalised name, not a sentence's first word unless
        the text names that person in full)."""
        window = self.text[max(0, self._at - _ANTECEDENT_CHARS) : self._at]
        quoted = [(m.start(), m.end()) for m in re.finditer(r"[“\"‘][^”\"’]*[”\"’]", window)]
        for m in reversed(list(re.finditer(_NAME, window))):
            if any(a <= m.start() < b for a, b in quoted):
                continue  # a name in someone's words is who they speak of, or to
            opening = re.search(r"(?:^|[.!?:;\"“”‘’—]\s*|\n\s*)$", window[: m.start()]) is not None
            words = [w for w in m[0].split() if w.casefold() not in STOPWORDS]
            if not words:
                continue
            name = " ".join(words)
            if self.names.known(name) or (not opening and (len(words) > 1 or SpeakerNames._name_word(words[0]))):
                return self.names.canonical(name)
        return None

    def _vocative(self, quote: str) -> str | None:
        """The person a quotation speaks to by name, at its start or its end ("Mr. Crane,
        you will drown", "... do you, Maud?"), or None."""
        m = _VOCATIVE.search(quote)
        if not m:
            return None
        words = [w for w in (m["who"] or m["end"]).split() if w.casefold() not in STOPWORDS]
        if not words or not SpeakerNames._name_word(words[-1]):
            return None
        return self.names.canonical(" ".join(words))

    def _turn_of(self) -> str | None:
        """In a dialogue between two people (the paragraphs before each opened with a
        quotation, the last two said by different people), a paragraph that opens with an
        unattributed quotation is the reply of the one who spoke before the last: fiction
        gives each turn its own paragraph and names the speaker only now and then."""
        if not self._opens_quote or len(self._exchange) < 2 or self._exchange[-1] == self._exchange[-2]:
            return None
        return self._exchange[-2]

    def _person(self, who: str) -> str | None:
        """The canonical speaker for an attribution subject, or None if not a person."""
        if re.fullmatch(_PRONOUN, who):
            # in a dialogue taking turns unattributed, "said he" is whose turn it is; after a
            # named speaker ("Nazary said." / "We feel abandoned," he said) it is them again
            turn = self._turn_of() if self._taking_turns else None
            self._replied = self._replied or turn is not None
            return turn or self.last_speaker or self._antecedent()
        words = who.split()
        # `And Tom said`, `Then said`: a sentence's opening word is no part of a name
        while words and words[0].casefold() in STOPWORDS:
            words = words[1:]
        if not words:
            return None
        # `Turning to the budget, Okafor` / `Port Authority Director Sam Whitfield`: longest
        # tail of the capitalised run that is a person.
        for i in range(len(words)):
            tail = " ".join(words[i:])
            if self.names.known(tail) or (i < len(words) - 1 and self.names.is_person(tail)):
                return self.names.canonical(tail)
        # A lone capitalised word as the subject of a speech verb: a surname nobody spelled
        # out ("Okafor said"), unless the text calls it "the X" (an organisation).
        last = words[-1]
        if last[:1].isupper() and not re.search(rf"\bthe\s+{re.escape(last)}\b", self.text, re.IGNORECASE):
            return self.names.canonical(last)
        return None

    def _attribution(self, fragment: str, before: bool) -> str | None:
        """The speaker an attribution fragment names; `before` = fragment precedes quote."""
        if self.last_speaker and _CONTINUING.search(fragment):
            return self.last_speaker  # `he added`: whoever spoke last goes on, in a dialogue too
        if not before:
            # fiction's attribution right after the quote: `cried his wife`, `said he`, `Jo cried`
            m = _BESIDE_VERB_SUBJECT.search(fragment) or _BESIDE_SUBJECT_VERB.match(fragment.lstrip(" ,;:—–-"))
            if m and (person := self._person(m.group("who"))):
                return person
            if described := _described(fragment):
                return described
        found = None
        for m in _SUBJECT_VERB.finditer(fragment):
            person = self._person(m.group("who"))
            if person:
                found = person
                if not before:
                    return found  # the nearest attribution after the quote
        if found:
            return found
        for pattern in (_VERB_SUBJECT, _OPENING_SUBJECT):
            m = pattern.search(fragment)
            if m and (person := self._person(m.group("who"))):
                return person
        return None

    def note_sentence(self, text: str) -> None:
        """Remember speakers named in prose without quotes (`Whitfield argued that ...`)."""
        for m in _SUBJECT_VERB.finditer(text):
            person = self._person(m.group("who"))
            if person and not re.fullmatch(_PRONOUN, m.group("who")):
                self.last_speaker = person
                self._paragraphs_since_speaker = 0

    def paragraph(self, text: str, start: int, end: int) -> list[Piece]:
        """Split one prose paragraph into quoted pieces and narration."""
        self.text = text
        spans = quote_spans(text, start, end)
        self._paragraphs_since_speaker += 1
        if not spans:
            self.note_sentence(text[start:end])
            self._narrated += 1
            if self._narrated > _DIALOGUE_PAUSE:
                self._exchange = []
            return [Piece(start, end, None)]
        self._narrated = 0
        self._opens_quote = not text[start : spans[0][0] - 1].strip()
        if not self._opens_quote:
            self._exchange = []

        speakers: list[str | None] = []
        for k, (qs, qe) in enumerate(spans):
            self._at = qs
            prev_end = spans[k - 1][1] + 1 if k else start
            next_start = spans[k + 1][0] - 1 if k + 1 < len(spans) else end
            after = text[qe + 1 : next_start]
            before = text[prev_end : qs - 1]
            # Only the attribution up to the end of its sentence belongs to this quote.
            after_sentence = _SENTENCE_END.split(after, maxsplit=1)[0]
            before_sentence = _SENTENCE_END.split(before)[-1]
            # `Whitfield argued that ... unfair. He said the fees were "out of reach"`
            self.note_sentence(before[: len(before) - len(before_sentence)])
            quote = text[qs:qe].strip()
            # A quote closed by a full stop ends its sentence: what follows is not its attribution.
            who = self._attribution(after_sentence, before=False) if not quote.endswith(".") else None
            who = who or self._attribution(before_sentence, before=True)
            same_sentence = k > 0 and speakers[-1] and not re.search(r"[.!?]", before)
            if same_sentence and not who:
                who = speakers[-1]  # `were "out of reach" and "unfair" to`: one attribution, two quotes
            if who:
                self.last_speaker, self._paragraphs_since_speaker = who, 0
            elif k == 0 and self._opens_quote and self._addressed and self._addressed != self.last_speaker:
                who = self.last_speaker = self._addressed  # the answer of the one just spoken to
                self._replied = True
            elif k == 0 and (turn := self._turn_of()):
                who = self.last_speaker = turn  # the reply in a dialogue
                self._replied = True
            elif (self._recent() and (_is_sentence(quote) or len(quote.split()) >= MIN_UNATTRIBUTED_WORDS)
                  and not self._names_another(before_sentence)):
                who = self.last_speaker  # (not where the sentence names someone else: "Joe Tanaka judged it")
            speakers.append(who)
        # `"Good night, Sir John," said the parson`: the one spoken to answers next
        addressed = [self._vocative(text[qs:qe]) for qs, qe in spans]
        self._addressed = next((a for a in reversed(addressed) if a and a not in speakers), None)
        if speakers[0] and self._opens_quote:
            self._exchange = [*self._exchange[-3:], speakers[0]]
        self._opens_quote = False
        self._taking_turns, self._replied = self._replied, False

        pieces: list[Piece] = []
        cursor = start
        for (qs, qe), who in zip(spans, speakers):
            if who is None:
                continue  # scare quotes: stay inside the narration around them
            self._narration(text, cursor, qs - 1, pieces)
            pieces.append(Piece(qs, qe, who))
            cursor = qe + 1
        self._narration(text, cursor, end, pieces)
        return pieces

    def _names_another(self, fragment: str) -> bool:
        """Does a lead-in name a person other than the last speaker, in full?"""
        for m in re.finditer(r"\b[A-Z][\w’'.-]*(?:[ \t]+[A-Z][\w’'-]*)+", fragment):
            words = m.group(0).split()
            for i in range(len(words) - 1):
                tail = " ".join(words[i:])
                if self.names.known(tail) or self.names.is_person(tail):
                    if self.names.canonical(tail) != self.last_speaker:
                        return True
                    break
        return False

    def _recent(self) -> bool:
        return self.last_speaker is not None and self._paragraphs_since_speaker <= 3

    def _narration(self, text: str, start: int, end: int, out: list[Piece]) -> None:
        """Narration between quotes, minus bare attributions like `, Okafor said. `"""
        after_quote = start > 0 and text[start - 1] in "\"”’"
        before_quote = end < len(text) and text[end] in "\"“‘"
        while start < end and not (text[start].isalnum() or text[start] in "([“\"'‘"):
            start += 1
        while end > start and text[end - 1] in " ,;:\"“”\n\t—–-":
            end -= 1
        fragment = text[start:end]
        if not re.search(r"\w", fragment):
            return
        if after_quote and before_quote and len(fragment.split()) <= 3 and fragment[-1] not in ".!?":
            return  # `"fresh water ...," as well as "clean beaches ..."`: glue between quotes
        m = _SUBJECT_VERB.search(fragment) or _VERB_SUBJECT.search(fragment) or _BESIDE_VERB_SUBJECT.search(fragment)
        # `Reyes said the council "should pay ..."`: the words after the verb begin the
        # quote's sentence; they stay, as the quote's lead-in (rag.ingest.with_lead_ins)
        leads_in = (before_quote and m is not None and fragment[m.end() :].strip() != ""
                    and fragment[-1] not in ".!?" and not _VERB_SUBJECT.search(fragment))
        if m and len((fragment[: m.start()] + fragment[m.end() :]).split()) <= 2 and not leads_in:
            return  # a bare attribution (`Okafor told Radio North`) is not a passage
        out.append(Piece(start, end, None))

"""People named by what they are: "the spokesperson", "the general", "the HWU organiser".

Example:
    roles = Roles.mine(["Sam Whitfeld, the spokesperson for the Harbour Workers Union, said ..."],
                       names, speakers={"Sam Whitfield"})
    roles.resolve("What did the HWU spokesman say about the talks?")
    -> "What did Sam Whitfield say about the talks?"

Where the roles come from: the transcripts themselves, where a writer introduces a speaker
by a title before the name ("Port Authority Press Secretary Ann Lee", "General Dana Okafor",
"Herald columnist Tom Reyes") or by an apposition after it ("Maria Lopez, the harbour master of
North Bay, said"); and the metadata (`[people."X"] roles = ["harbour master"]`).

A question's "the <words> <role>" becomes the person when exactly one speaker holds that
role and every other word of the phrase is a word of that role ("the council spokesman" is
not the spokesperson *for the Harbour Workers Union*), and only where the phrase stands
for a person: after "according to", "did", "ask" ..., before "say", "'s" ..., or at the end
of a clause ("What is the general situation?" keeps its general).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from dataclasses import dataclass

from .query import speaker_by_name
from .speakers import HONORIFICS, SpeakerNames, name_key
from .terms import STOPWORDS, stem

_TOKEN = re.compile(r"[\w’'-]+")
_NAME_RUN = re.compile(r"\b[A-Z][\w’'-]+(?:[ \t]+(?:[A-Z][\w’'-]+|(?:al|bin|ibn|de|van|von)\b))+")
# after a name: ", (the|a|an) <role> (of|for|...) <Organisation>," up to a clause's end
# (an acronym in brackets is part of it: "Commander of the Armed Forces of the Front (AFF),")
_APPOSITION = re.compile(r"^,\s+(?:(?:a|an|the)\s+)?(?P<phrase>[^,.;:()\"“”]{2,120}?(?:\s*\([A-Z]{2,8}\))?)"
                         r"(?=\s*[,.;:()\"“”]|\s+(?:who|which|that|now|and)\b)")
# the words of a role that say nothing of it ("the spokesperson for the Front")
_FUNCTION = frozenset("a an the of for from at in on to with and 's".split())
_PREPOSITION = re.compile(r"\s+(?:of|for|from|at|in|with|to|on)\s+", re.IGNORECASE)
_PRESS = frozenset("secretary officer attache attaché".split())
# the asker by role is read elsewhere (rag/query.py ASKED): "the interviewer" stays a role
_ASKERS = frozenset("interviewer correspondent host journalist reporter presenter moderator".split())
# words before and after "the <role>" that show it stands for a person
_BEFORE = re.compile(r"(?:according\s+to|did|does|do|has|have|had|will|would|can|could|should|ask|asked|asks|"
                     r"tell|told|interview|interviewed|quote|quoted|quotes)\s+$", re.IGNORECASE)
_AFTER = re.compile(r"^(?:[’']s\b|\s*(?:[?.!,;:]|$)|\s+(?:say|says|said|think|thinks|thought|tell|tells|told|want|wants|"
                    r"wanted|believe|believes|argue|argues|argued|claim|claims|claimed|mean|means|meant|add|added|"
                    r"explain|explains|explained|describe|describes|described|warn|warns|warned|predict|predicts|"
                    r"predicted|feel|feels|felt|see|sees|saw|fear|fears|feared)\b)", re.IGNORECASE)


def fold(word: str) -> str:
    """A role word compared: stemmed, and one word for spokesman / spokeswoman / spokesperson."""
    word = word.casefold().strip("’'.-")
    word = re.sub(r"[’']s$", "", word)
    return re.sub(r"(?:wo)?(?:man|men|person|people)$", "person", word) if re.search(r"(?:man|men|person|people)$", word) and len(word) > 6 else stem(word)


@dataclass(frozen=True)
class Role:
    person: str
    head: str  # the role word, folded: "spokesperson", "command"
    words: frozenset[str]  # its other words, folded, and the initials of its names ("hwu")
    phrase: str  # as written


def role_of(person: str, phrase: str) -> Role | None:
    """'spokesperson for the Harbour Workers Union' -> head 'spokesperson', words
    {'harbour', 'worker', 'union', 'hwu'}; None for no role ('35', 'who runs ...')."""
    before, *after = _PREPOSITION.split(phrase.strip(), maxsplit=1)
    tokens = _TOKEN.findall(before)
    if not tokens or len(tokens) > 5 or not tokens[-1].isalpha():
        return None
    complement = after[0] if after else ""
    words = {fold(t) for t in tokens[:-1] if t.lower() not in _FUNCTION}
    words |= {fold(t) for t in _TOKEN.findall(complement) if t.lower() not in _FUNCTION and t[:1].isupper()}
    for run in re.findall(r"(?:[A-Z][\w’'-]+\s+){1,5}[A-Z][\w’'-]+", f"{before} {complement}"):
        words.add("".join(w[0] for w in run.split()).casefold())  # "Harbour Workers Union" -> "hwu"
    head = fold(tokens[-1])
    if len(tokens) > 1 and tokens[-2].lower() == "press" and tokens[-1].lower() in _PRESS:
        head = fold("spokesperson")  # "Pentagon Press Secretary" is the Pentagon's spokesperson
    return Role(person, head, frozenset(words), phrase.strip())


def _describes(m: re.Match) -> bool:
    """Is an apposition a description ("the spokesperson for ...", "head of the ...",
    "Commander of the ...") and not a clause ("who runs ...", "is again ...")?"""
    phrase = m.group("phrase")
    first = phrase.split()[0]
    if m.group(0).lstrip(", ").lower().startswith(("a ", "an ", "the ")) or first[:1].isupper():
        return True
    return first.lower() not in STOPWORDS and bool(re.match(r"[\w’'-]+(?:\s+[\w’'-]+)?\s+(?:of|for)\s", phrase))


def _name_in(words: list[str], names: SpeakerNames, speakers: set[str]) -> tuple[str, int, int] | None:
    """The speaker a run of capitalised words names, and where their name starts and ends in
    it, past any title ("General Dana Okafor" -> Dana Okafor, 1, 3)."""
    for i in range(len(words)):
        for j in range(len(words), i, -1):
            name = " ".join(words[i:j])
            who = names.known(name)
            if who is not None and who not in speakers:
                return None  # someone who does not speak ("the late Captain Joseph Okafor")
            who = who or speaker_by_name(name, speakers)
            if who and len(name_key(name).split()) == 1 and name_key(name) != name_key(who).split()[-1]:
                continue  # one word names someone by their surname only ("Captain Sam" is not Sam Whitfield)
            if who in speakers:
                while i < j - 1 and name_key(words[i]) in HONORIFICS:
                    i += 1
                return who, i, j
    return None


class Roles:
    def __init__(self, roles: Iterable[Role]):
        askers = {fold(a) for a in _ASKERS}
        self.roles = tuple(dict.fromkeys(r for r in roles if r.head not in askers))
        self._heads = {r.head for r in self.roles}

    @classmethod
    def mine(cls, texts: Iterable[str], names: SpeakerNames, speakers: set[str],
             declared: Mapping[str, Iterable[str]] | None = None) -> Roles:
        """The roles the texts give the speakers, and those the metadata declares."""
        texts = list(dict.fromkeys(texts))  # a passage reprinted elsewhere is read once
        roles = [r for person, phrases in (declared or {}).items() if person in speakers
                 for r in (role_of(person, p) for p in phrases) if r]
        # a role is a noun: a title ("General"), or a word the corpus writes after an article
        nouns = {fold(h) for h in HONORIFICS} | {fold(w) for text in texts for m in re.finditer(
            r"\b(?:a|an|the)((?:\s+[\w’'-]+){1,3})", text, re.IGNORECASE) for w in m.group(1).split()}
        mined: list[Role] = []
        for text in texts:
            for m in _NAME_RUN.finditer(text):
                found = _name_in(m.group(0).split(), names, speakers)
                if found is None:
                    continue
                person, i, j = found
                words = m.group(0).split()
                # "Port Authority Press Secretary Ann Lee", "Herald columnist Tom Reyes": the
                # words just before the name, back to a stop word or a punctuation mark
                offset = m.start() + len(" ".join(words[:i])) + (1 if i else 0)
                before = re.search(r"(?:[\w’'-]+ )+$", text[max(0, offset - 80) : offset])
                title = before.group(0).split() if before else []
                while any(t.lower() in STOPWORDS for t in title):
                    title = title[next(k for k in range(len(title) - 1, -1, -1) if title[k].lower() in STOPWORDS) + 1 :]
                # ("These quotes shall illustrate X" holds no title: no capital, no noun)
                if title and (role := role_of(person, " ".join(title[-5:]))) and (
                        role.head in nouns or any(t[:1].isupper() for t in title)):
                    mined.append(role)
                if j == len(words) and (after := _APPOSITION.match(text[m.end() :])) and _describes(after):
                    if (role := role_of(person, after.group("phrase"))) and role.head in nouns:
                        mined.append(role)
        return cls(roles + mined)

    def _phrases(self, query: str) -> Iterator[tuple[re.Match, re.Match, str, frozenset[str], bool]]:
        """Each "the <words> <role>" of a question that stands for a person: its "the", its
        role word, the role's head, the other words (folded) and whether it is possessive."""
        for the in re.finditer(r"\bthe\s+", query, re.IGNORECASE):
            tokens = list(islice(_TOKEN.finditer(query, the.end()), 4))
            tokens = [t for n, t in enumerate(tokens) if n == 0 or not query[tokens[n - 1].end() : t.start()].strip()]
            for n, token in enumerate(tokens):
                head, possessive = fold(token.group(0)), bool(re.search(r"[’']s$", token.group(0)))
                if head in self._heads and (_BEFORE.search(query[: the.start()]) or possessive
                                            or _AFTER.match(query[token.end() :])):
                    wanted = frozenset(fold(t.group(0)) for t in tokens[:n] if t.group(0).lower() not in _FUNCTION)
                    yield the, token, head, wanted, possessive

    def resolve(self, query: str) -> str:
        """The question with each "the <role>" that stands for one speaker named instead."""
        out, last = [], 0
        for the, token, head, wanted, possessive in self._phrases(query):
            if the.start() < last:
                continue
            people = {r.person for r in self.roles if r.head == head and wanted <= r.words}
            if len(people) == 1:
                end = token.end() - (2 if possessive else 0)  # "the commander's view" -> "Okafor's view"
                out.append(query[last : the.start()] + people.pop())
                last = end
        return "".join(out) + query[last:]

    def unheld(self, query: str) -> tuple[str, Role] | None:
        """A person the question names by a role nobody here holds as named: "the Taliban
        spokesman" where the one spokesperson quoted speaks for the Harbour Workers Union.
        Returned: the phrase asked for, and a role of that kind someone does hold. Only a
        name ("Taliban", "Pentagon") rules a holder out: "the new spokesman" may be anyone."""
        for the, token, head, wanted, _ in self._phrases(query):
            named = frozenset(fold(t) for t in _TOKEN.findall(query[the.end() : token.start()])
                              if t[:1].isupper() and t.lower() not in _FUNCTION)
            holders = [r for r in self.roles if r.head == head]
            # (a bare title, "Commander Dana Okafor", may be a commander of anything)
            if named and not any(not r.words or named <= r.words for r in holders):
                phrase = query[the.end() : token.end()]
                return re.sub(r"[’']s\b", "", phrase), holders[0]  # "the Taliban's spokesman"
        return None

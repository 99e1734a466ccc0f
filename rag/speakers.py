"""Canonical speaker names: every spelling, label and surname of a person folded into one.

Example:
    >>> names = SpeakerNames({"Sam Whitfield": ("Whitfeld", "Sam Whitfeld")})
    >>> names.canonical("WHITFELD"), names.canonical("Mr. Whitfield"), names.canonical("Sam")
    ('Sam Whitfield', 'Sam Whitfield', 'Sam Whitfield')

Resolution order: an alias of the metadata (case, punctuation and honorifics ignored);
a single first name or surname that belongs to exactly one metadata person; a surname
that the document itself gives in full ("Reyes" after "Tom Reyes"); else the name as
written, with shouted capitals softened ("OKAFOR" -> "Okafor").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Container, Iterable, Mapping, Sequence

from rapidfuzz.distance import DamerauLevenshtein

from .terms import STOPWORDS

# Titles that precede a name without being part of it ("Captain Maria Lopez").
HONORIFICS = frozenset(
    "mr mrs ms miss dr doctor prof professor general gen commander cmdr colonel col captain"
    " capt lt lieutenant sir dame president minister secretary ambassador senator rep"
    " sheikh mullah imam martyr the hon honourable honorable right rt mayor governor councillor councilor"
    " chancellor premier judge justice bishop rabbi pastor reverend rev sergeant sgt inspector detective"
    " chairman chairwoman chairperson deputy".split()
)
PRONOUNS = frozenset("he she they i we you it this that who".split())
# Words that open a capitalised run before a name without being part of it ("Hey Ryan,
# what's up?", "Thanks Maria"): a speaker labelled "Ryan" is not "Hey Ryan".
GREETINGS = frozenset("hi hey hello bye goodbye thanks thank dear oh okay ok yes yeah well welcome sorry"
                      " congratulations morning evening night love".split())

_PARTICLES = frozenset("al bin ibn de van von".split())  # inside names, as _NAME_RUN allows them
_WORD = re.compile(r"[\w’'.-]+")
# A run of capitalised words: where a document spells a person's full name.
_NAME_RUN = re.compile(rf"\b[A-Z][\w’'-]+(?:[ \t]+(?:[A-Z][\w’'-]+|(?:{'|'.join(sorted(_PARTICLES))})\b))+")


def name_key(name: str) -> str:
    """Case-, accent-, punctuation- and honorific-insensitive key for comparing names."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[’']s\b", "", text)  # possessive: "Lopez’s" is Lopez
    words = [w.strip(".’'-") for w in _WORD.findall(text.replace("-", " "))]
    words = [w for w in words if w]
    while len(words) > 1 and words[0] in HONORIFICS:
        words = words[1:]
    return " ".join(words)


def display_name(name: str) -> str:
    """The name as written, but 'OKAFOR' reads as 'Okafor' and 'Dana OKAFOR' as 'Dana Okafor'."""
    words = name.split()
    while len(words) > 2 and name_key(words[0]) in HONORIFICS:
        words = words[1:]  # "Professor Ruth Adeyemi" -> "Ruth Adeyemi"
    fixed = [w.capitalize() if w.isupper() and len(w) > 2 and w.isalpha() else w for w in words]
    return " ".join(fixed)


def document_names(text: str) -> Counter[str]:
    """Full names (two or more capitalised words) a document spells out, with counts."""
    return Counter(m.group(0) for m in _NAME_RUN.finditer(text))


class SpeakerNames:
    """Maps the names a transcript uses to one canonical name per person."""

    def __init__(self, people: Mapping[str, Iterable[str]], doc_names: Counter[str] | None = None):
        self._alias: dict[str, str] = {}
        self._token_owners: dict[str, set[str]] = {}
        for canonical, aliases in people.items():
            for alias in (canonical, *aliases):
                key = name_key(alias)
                if not key:
                    continue
                self._alias.setdefault(key, canonical)
                words = key.split()
                for token in {words[0], words[-1]}:
                    self._token_owners.setdefault(token, set()).add(canonical)
        self._doc_names = doc_names or Counter()
        self._doc_text = ""
        self._cache: dict[str, str | None] = {}
        self._phrases: dict[str, set[str]] = {}  # per person, the names `mentions` looks for
        self._lower: dict[tuple[str, bool], bool] = {}  # per word (and form), whether the document writes it in lower case

    def for_document(self, text: str) -> SpeakerNames:
        """A copy that also knows the full names spelled out in this document."""
        copy = object.__new__(SpeakerNames)
        copy._alias, copy._token_owners = self._alias, self._token_owners
        copy._doc_names = document_names(text)
        copy._doc_text = text
        copy._cache, copy._phrases, copy._lower = {}, {}, {}
        return copy

    def known(self, name: str) -> str | None:
        """The canonical name if `name` is a metadata person or spelled in full here."""
        if name not in self._cache:
            if len(self._cache) >= 100_000:  # every question's capitalised words pass here: bounded
                self._cache.clear()
            self._cache[name] = self._known(name)
        return self._cache[name]

    def _known(self, name: str) -> str | None:
        key = name_key(name)
        if not key or key in PRONOUNS:
            return None
        if key in self._alias:
            return self._alias[key]
        words = key.split()
        if len(words) == 1:
            owners = self._token_owners.get(words[0], set())
            if len(owners) == 1:
                return next(iter(owners))
            full = self._full_name_in_document(words[0])
            if full:
                return self._alias.get(name_key(full), display_name(full))
        return None

    def mentions(self, text: str, person: str) -> bool:
        """Does `text` name `person`: by any of their names, or by a first name or surname
        no one else in the metadata has ("Okafor" for Dana Okafor, not "Lee" when there
        are two)."""
        said = f" {name_key(text)} "
        return any(f" {p} " in said for p in self._names_of(person))

    def _names_of(self, person: str) -> set[str]:
        """The names `mentions` looks for (name keys): every alias, and a first name or surname
        no one else carries."""
        phrases = self._phrases.get(person)
        if phrases is None:
            key = name_key(person)
            words = key.split()
            phrases = {k for k, c in self._alias.items() if c == person} | {key}
            if person in self._alias.values():
                phrases |= {w for w in {words[0], words[-1]} if self._token_owners.get(w, {person}) <= {person}} if words else set()
            elif words and not any(words[-1] in k.split() for k in self._alias):
                phrases.add(words[-1])  # someone the metadata doesn't know: by surname, unless it is part of a known name
            phrases.discard("")
            self._phrases[person] = phrases
        return phrases

    def introduces(self, text: str, person: str) -> bool:
        """Does `text` say who `person` is where it names them: "Dana Okafor, who chairs ...",
        "Okafor, the harbour master", "Okafor, 52,", "Okafor is a ..."?"""
        if not self.mentions(text, person):
            return False
        names = "|".join(re.escape(p).replace(r"\ ", r"[\s.’'-]+") for p in sorted(self._names_of(person), key=len, reverse=True))
        return re.search(rf"\b(?:{names})\b(?:\s*,\s*(?:who|the|a|an|\d{{1,3}}\s*,)|\s+(?:is|was)\s+(?:a|an|the)\b)",
                         text, re.IGNORECASE) is not None

    def declared(self, name: str) -> bool:
        """Is `name` one the metadata gives a person (their name or an alias)?"""
        return name_key(name) in self._alias

    def canonical(self, name: str) -> str:
        return self.known(name) or display_name(" ".join(name.split()))

    def is_person(self, name: str) -> bool:
        """Known person, or a plausible full name (2-4 capitalised words)."""
        if self.known(name):
            return True
        words = name.split()
        return 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words)

    @staticmethod
    def _name_word(word: str) -> bool:
        """Could this capitalised word be part of a name? Not a function word, a greeting or
        a contraction ("And", "Hey", "You're", "That's"). A word before a surname is not also
        held against `_written_lower`: that would lose Bill Hart wherever a bill is."""
        base = re.split(r"[’']", word.casefold())[0].strip(".-")
        if base in _PARTICLES:  # "Maria de Souza"
            return True
        return bool(base) and base not in STOPWORDS and base not in PRONOUNS and base not in GREETINGS

    def _written_lower(self, word: str, any_form: bool = False) -> bool:
        """Does the document also write this word in lower case? Then it is a word, not a
        surname: a label "Marketing" is not "Marketing Expert" where "an expert" is said.
        `any_form`: or a word it begins, without a plural's "s" ("Experts", a cut-off "Exper":
        "expert")."""
        key = word.casefold()
        if any_form:
            key = re.sub(r"(?<=\w\w\w)e?s$", "", key)
        if (key, any_form) not in self._lower:  # one scan of the document per word
            tail = r"\w*" if any_form else r"(?![\w’'-])"
            self._lower[key, any_form] = bool(re.search(rf"(?<![\w’'-]){re.escape(key)}{tail}", self._doc_text))
        return self._lower[key, any_form]

    def _full_name_in_document(self, token: str) -> str | None:
        """'Reyes' -> 'Tom Reyes' when the document says 'State Senator Tom Reyes';
        'Maria' -> 'Maria Lopez' when it says 'Maria Lopez, 52, is ...'."""
        if re.search(rf"\bthe\s+{re.escape(token)}\b", self._doc_text, re.IGNORECASE):
            return None  # "the Coastguard", "the Treasury": an organisation, not a surname
        counts: Counter[str] = Counter()
        for run, n in self._doc_names.items():
            words = run.split()
            keys = [name_key(w) for w in words]
            for j, key in enumerate(keys):
                if key != token:
                    continue
                if j + 1 < len(words):  # a first name: it and the surname after it
                    # (not a word the document also writes in lower case, in any form: a label
                    # "Marketing" is not "Marketing Experts", nor a cut-off "Marketing Exper",
                    # where "an expert" is said)
                    if self._name_word(words[j + 1]) and not self._written_lower(words[j + 1], any_form=True):
                        counts[f"{words[j]} {words[j + 1]}"] += n
                    continue
                for i in range(j - 1, max(j - 3, -1), -1):  # a surname: up to two names before
                    if keys[i] in HONORIFICS or not self._name_word(words[i]):
                        break
                    counts[" ".join(words[i : j + 1])] += n
        if not counts:
            return None
        return max(counts, key=lambda name: (counts[name], len(name)))


# A speaker saying who they are: "my name is Anita Chen", "Hello, this is Mingqiu Sun.",
# "I'm Dana Okafor, and ...". "I'm"/"I am" needs a full name ("I'm Canadian" is no name);
# "this is" counts only in a voice's opening words ("this is a problem" later is no one).
_INTRO_NAME = r"(?:(?:Dr|Prof|Professor|Mr|Mrs|Ms|Miss)\.?\s+)?(?P<name>[A-Z][\w’'-]+(?:[ \t]+(?:[A-Z][\w’'-]+|(?:de|van|von|al|bin|da|del|di|le|la)\b)){0,3})"
_SELF_INTRODUCTION = (
    (re.compile(rf"\b[Mm]y\s+name(?:\s+is|[’']s)\s+{_INTRO_NAME}"), 1, None),  # "My name is" opens a sentence
    (re.compile(rf"\b(?:I[’']m|I\s+am)\s+{_INTRO_NAME}"), 2, None),
    (re.compile(rf"\b(?:this\s+is|it[’']s)\s+{_INTRO_NAME}(?=\s*(?:[,.!]|and\b|from\b|here\b|with\b|$))"), 2, 80),
)
# After a greeting that opens a voice's words ("Hello, I'm Peter and ...", "Greetings from
# Sweden. This is Ulf over at ..."), one name is enough: "I'm" or "this is" then greets.
_GREETING = re.compile(r"\W*(?:good\s+)?(\w+)")
_GREETED = re.compile(rf"\b(?:[Tt]his\s+is|[Ii]t[’']s|I[’']m|I\s+am)\s+{_INTRO_NAME}(?=\s*(?:[,.!]|(?:and|from|here|with|over|at|of)\b|$))")


def self_introduction(words: str) -> str | None:
    """The name a speaker gives themselves in their opening words, or None.

    Example:
        >>> self_introduction("Hello everyone, my name is Anita Chen and I work at ...")
        'Anita Chen'
        >>> self_introduction("Hi, this is Mingqiu Sun. Today ...")
        'Mingqiu Sun'
        >>> self_introduction("I'm Canadian, and this is my talk") is None
        True
        >>> self_introduction("Hello, I'm Peter and I make music")
        'Peter'
        >>> self_introduction("Welcome to our talk. My name is Josh Lee and I'm co-presenting")
        'Josh Lee'

    Someone the speaker introduces is not the speaker:
        >>> self_introduction("I am here with my colleague, Ike Mensah.") is None
        True
    """
    found = []
    for pattern, least, within in _SELF_INTRODUCTION:
        for m in pattern.finditer(words, 0, len(words) if within is None else min(len(words), within)):
            parts = m["name"].split()
            while parts and not SpeakerNames._name_word(parts[-1]):
                parts.pop()
            if len(parts) >= least and all(SpeakerNames._name_word(w) for w in parts[:1]):
                found.append((m.start(), " ".join(parts)))
                break
    greeting = _GREETING.match(words)
    if not found and greeting and greeting[1].casefold() in GREETINGS | {"greetings"}:
        m = _GREETED.search(words, 0, min(len(words), 80))
        if m and SpeakerNames._name_word(m["name"].split()[0]):
            found.append((m.start(), " ".join(w for w in m["name"].split() if SpeakerNames._name_word(w))))
    return min(found)[1] if found else None


def listed_as(name: str, listed: Sequence[str], loose: bool = False) -> str | None:
    """The one full name in `listed` (the people a source's metadata says speak in it) that
    `name` means, or None: the same name, or some of its words, each the same as a word of
    the full name, one edit from it or its beginning (a spelling variant, "Nikolai" for
    Nikolay, or a short form, "Josh" for Joshua; for words of four letters or more), in any
    order. A name two listed people share means neither. `loose`: one such
    word is enough, for a name heard in the words, which automatic captions mishear ("my name
    is Marta Kovalchik" in a talk the programme gives to Marta Kowalczyk).

    Example:
        >>> listed_as("Nikolai", ["Nikolay Dragomirov"]), listed_as("Raman", ["Oskar Lindqvist", "Priya Raman"])
        ('Nikolay Dragomirov', 'Priya Raman')
        >>> listed_as("James", ["James Whitlow", "James Okoro"]) is None
        True
        >>> listed_as("Voice 1", ["Anita Chen"]) is None
        True
        >>> listed_as("James Okoro", ["James Whitlow"]), listed_as("Hedda Sorenson", ["Hedda Sorensen"], loose=True)
        (None, 'Hedda Sorensen')
    """
    words = name_key(name).split()
    if not words or not listed:
        return None
    found = {full for full in listed if _words_within(words, name_key(full).split(), loose)}
    return found.pop() if len(found) == 1 else None


def _words_within(words: Sequence[str], full: Sequence[str], loose: bool = False) -> bool:
    """Is each word one of `full`'s (a different one each), equal or one edit apart? With
    `loose`, is any?"""
    left = list(full)
    matched = 0
    for w in words:
        near = [f for f in left if f == w or (min(len(f), len(w)) >= 4 and (
            DamerauLevenshtein.distance(f, w) <= 1 or f.startswith(w) or w.startswith(f)))]
        if near:
            left.remove(w if w in near else near[0])
            matched += 1
        elif not loose:
            return False
    return matched > 0


def answering_apart(labels: Sequence[str], speaker_of: Mapping[str, str], names: SpeakerNames,
                    local: Container[str] = ()) -> dict[str, str]:
    """Each turn label's speaker, `labels` in the order the turns come. A titled label read
    as a full name the transcript gives ("Mrs. Buffay" as "Phoebe Buffay") is someone else
    when the two answer each other (one's turn right after the other's): "Mrs. Buffay"
    keeps her own name, unless the metadata says she is Phoebe (an alias, or `local`: the
    source's own labels). "Ms. Okafor:" where the text introduces Dana Okafor, or "OKAFOR:"
    after "DANA OKAFOR:", stays one person."""
    out = dict(speaker_of)
    for before, after in zip(labels, labels[1:]):
        if before == after or out[before] != out[after]:
            continue
        for label, other in ((before, after), (after, before)):
            if _titled(label) and not _titled(other) and label not in local and not names.declared(label):
                out[label] = display_name(" ".join(label.split()))
    return out


def _titled(label: str) -> bool:
    """An honorific and one name: "Mrs. Buffay", "Dr Reyes"."""
    words = label.split()
    return len(words) == 2 and name_key(words[0]) in HONORIFICS

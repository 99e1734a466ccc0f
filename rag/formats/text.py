"""Plain-text transcripts and articles: find who says each paragraph, and where.

Example:
    "Title\\nDana: How did the vote go?\\nMaria: Badly.\\nDana: Why?\\nMaria: ..."
    gives a narrator title, then alternating interviewer / interviewee turns.

One pass per convention, each claiming the paragraphs it recognises, in this order:
1. the first line is the title (even `Somebody: Headline words`);
2. pull quotes: a paragraph followed by an attribution line `Name, description`;
3. the interview itself, whichever form the document uses:
   labelled turns (`Name: text`, labels that recur), dash-marked questions and answers
   (hyphen, en or em dash, used inconsistently, so questions and answers alternate), or
   plain question paragraphs each followed by answer paragraphs;
4. a "key quotes of X" section: its lines are X's words;
5. a paragraph that is all quotation and repeats a speaker's turn is that speaker's pull quote;
6. everything else is prose: quotations go to the person they are attributed to
   (see quotes.py), the rest to the narrator.
Inside answers, `Professor X said: '...'` hands the quoted words to X.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

import simplemma

from ..records import NARRATOR, Segment, SourceMeta
from ..speakers import PRONOUNS, SpeakerNames, answering_apart, name_key
from .quotes import _NAME, _VERB, QuoteAttributor
from .stamps import timed, unstamp

# `Name: words`; also `Name (Riding, Party): words` (the parenthesis describes the speaker;
# it may hold one more: `The Chair (Ms. Dana Okafor (Eastside, NDP)): words`)
# and `Name:` alone on its line (a turn with no words, as in meeting transcripts).
# A line said together has a joint label: `Ann Lee and Bo Park: Hey.`, `Ann, Bo & Cy: No!`.
_ONE_LABEL = r"[A-Z][\w.’'-]*(?:[ ][A-Z0-9][\w.’'-]*){0,3}"
_JOINED = re.compile(r",[ ]*(?:and[ ]+|&[ ]*)?|[ ]+(?:and|&)[ ]+")
_LABEL = re.compile(
    rf"(?P<label>{_ONE_LABEL}(?:(?:,[ ](?:and[ ]|&[ ])?|[ ](?:and|&)[ ]){_ONE_LABEL}){{0,7}})(?:[ \t]*\((?P<desc>(?:[^()\n]|\([^()\n]{{1,60}}\)){{1,80}})\))?"
    r"[ \t]*:(?:[ \t]+(?=\S)|[ \t]*$)"
)
# A person's name in a label's brackets: "(Ms. Dana Okafor)", not "(Port Ellis, Lib.)" or "(Rachel's date)"
_PERSON_IN_BRACKETS = re.compile(r"(?:(?:Mr|Mrs|Ms|Miss|Dr|Hon|Sen|Rep)\.?[ ]+)+[A-Z][\w’'-]+(?:[ ]+[A-Z][\w’'.-]+){0,3}")
# Stage directions in a labelled transcript: a symbol label (`#NOTE#:`, `[SOUND]:`) or a
# paragraph wholly in brackets (`(They sit down.)`): the transcriber's words, nobody's turn.
_STAGE_LABEL = re.compile(r"[#\[(<*{][^:\n]{0,30}?[#\])>*}][ \t]*:[ \t]*(?=\S)")
_STAGE_DIRECTION = re.compile(r"\([^()\n]*\)|\[[^\[\]\n]*\]")  # not `(laughs) Yes, (really)`
_DASH = re.compile(r"[-–—][ \t]+(?=\S)")
_ATTRIBUTION_LINE = re.compile(rf"(?P<who>{_NAME}),\s+(?P<desc>[a-z][^.!?:\"“”]*)")
_QUOTES_HEADING = re.compile(rf"\bquotes?\b.*?\b(?:of|from|by)\s+(?P<who>{_NAME})")
_INTERVIEW_WITH = re.compile(
    r"\binterview(?:ed)?\s+(?:with|by)\s+(?:(?:[a-z][\w-]*|[A-Z]{2,})\s+){0,4}(?P<who>[A-Z][\w’'-]+(?:[ ][A-Z][\w’'-]+){0,3})"
)
_PERSON = r"[A-Z][\w’'-]+(?:[ ][A-Z][\w’'-]+){1,3}"  # no full stops: a name, not two sentences
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)
_QUOTED_INSIDE = re.compile(
    rf"(?P<who>{_NAME})\s+{_VERB}\s*[:,]\s*(?P<open>['‘\"“])(?P<body>.+?)(?P<close>['’\"”])(?=\s|$)"
)
# `(former harbour master. - "HN")`: a note the publication put inside someone's answer.
_EDITOR_NOTE = re.compile(r"\((?P<body>[^()]{3,300}?)\s*[-–—]\s*(?:\"[^\"]{1,30}\"|“[^”]{1,30}”|Ed\.|ed\.)\)")
_CLOSERS = {"'": "'", "‘": "’", '"': '"', "“": "”"}


@dataclass
class Claim:
    """A paragraph (or the part of it after a label or dash) said by someone."""

    start: int
    end: int
    speaker: str | None
    role: str
    turn: int = -1
    drop: bool = False  # attribution lines: recognised, but not a passage


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-blank lines, trimmed: a paragraph per line, as offsets."""
    spans = []
    for m in re.finditer(r"[^\n]+", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


def _ends_question(text: str) -> bool:
    return text.rstrip().endswith("?")


def _is_all_quote(text: str) -> bool:
    t = text.strip()
    return len(t) > 2 and t[0] in "\"“" and t[-1] in "\"”" and t.count('"') + t.count("“") + t.count("”") == 2


class _Parser:
    def __init__(self, text: str, meta: SourceMeta, names: SpeakerNames):
        self.text, self.meta, self.names = text, meta, names
        self.paras = paragraphs(text)
        self.claims: list[Claim | None] = [None] * len(self.paras)
        self.turn = 0

    def para(self, i: int) -> str:
        s, e = self.paras[i]
        return self.text[s:e]

    def claim(self, i: int, speaker: str | None, role: str, start: int | None = None, new_turn=True):
        if new_turn:
            self.turn += 1
        s, e = self.paras[i]
        self.claims[i] = Claim(start if start is not None else s, e, speaker, role, self.turn)

    # --- who is in the interview ------------------------------------------------------
    def participants(self, first_turn_para: int) -> tuple[str, str]:
        """(interviewer, interviewee) from the metadata, else from the introduction:
        `in an interview with RN reporter Dana OKAFOR` names the interviewer, and the
        person the introduction keeps naming ("Maria Lopez ... Captain Lopez") answers."""
        interviewer = self.meta.interviewers[0] if self.meta.interviewers else None
        interviewee = self.meta.interviewees[0] if self.meta.interviewees else None
        intro = "\n".join(self.para(i) for i in range(first_turn_para))
        if interviewer is None and (m := _INTERVIEW_WITH.search(intro)):
            interviewer = _person_tail(m.group("who"), self.names)
        if interviewee is None:
            mentions = Counter(name_key(w) for w in re.findall(r"[A-Z][\w’'-]+", intro))
            scores: Counter[str] = Counter()
            for run in re.findall(_PERSON, intro):
                who = _person_tail(run, self.names)
                if who and len(run.split()) <= 4 and (not interviewer or name_key(who) != name_key(interviewer)):
                    scores[who] = mentions[name_key(who.split()[-1])]  # surnames recur: "Captain Lopez"
            interviewee = max(scores, key=scores.get) if scores else None
        return (
            self.names.canonical(interviewer) if interviewer else "Interviewer",
            self.names.canonical(interviewee) if interviewee else "Interviewee",
        )

    def role_of(self, speaker: str) -> str:
        if speaker in {self.names.canonical(n) for n in self.meta.interviewers}:
            return "interviewer"
        if speaker in {self.names.canonical(n) for n in self.meta.interviewees}:
            return "interviewee"
        return "speaker"

    # --- 1, 2: title and pull quotes ------------------------------------------------------
    def title_and_pull_quotes(self) -> None:
        if self.paras:
            self.claim(0, None, NARRATOR)
        for i in range(2, len(self.paras)):
            m = _ATTRIBUTION_LINE.fullmatch(self.para(i))
            if not m or self.claims[i - 1] is not None or len(self.para(i).split()) > 14:
                continue
            who = m.group("who")
            if not (self.names.known(who) or self.names.is_person(who)):
                continue
            self.claim(i - 1, self.names.canonical(who), "quoted")
            self.claims[i] = Claim(*self.paras[i], speaker=None, role=NARRATOR, drop=True)

    # --- 3: the interview -------------------------------------------------------------
    def labelled_turns(self) -> bool:
        labels: dict[int, re.Match] = {}
        for i in range(len(self.paras)):
            # (the first line is the title unless its label recurs: then it is a turn)
            if (i == 0 or self.claims[i] is None) and (m := _LABEL.match(self.text, *self.paras[i])):
                if name_key(m.group("label")) not in PRONOUNS:
                    labels[i] = m
        counts = Counter(name_key(m.group("label")) for m in labels.values())
        recurring = {k for k, n in counts.items() if n >= 2}

        def person(label: str) -> bool:
            return bool(self.names.known(label) or self.names.is_person(label) or _unknown_name(label)
                        or _numbered_or_role(label))

        def joint(label: str) -> bool:  # each of its names speaks alone too, or is a person's
            parts = _JOINED.split(label)
            return len(parts) > 1 and all(name_key(p) in recurring or person(p) for p in parts)

        # A label said once is a turn too when it names a person (a character with one
        # line) or people who also speak alone; the first paragraph's label must recur
        # (else it is a title), and so must a label with no words after it (else it is a
        # heading such as `Key Points:`).
        labels = {
            i: m
            for i, m in labels.items()
            if (name_key(m.group("label")) in recurring and len(_JOINED.split(m.group("label"))) == 1)
            or (i > 0 and m.end() < self.paras[i][1] and (joint(m.group("label")) or (
                len(_JOINED.split(m.group("label"))) == 1 and person(m.group("label")))))
        }
        # A conversation: at least two people whose labels recur, or three people of whom
        # one speaks twice (a short scene); a headline repeated as `Somebody: Headline`
        # three times is still a title.
        said = {name_key(m.group("label")) for m in labels.values()}
        if len(labels) < 3 or not (len(recurring) >= 2 or (recurring & said and len(said) >= 3)):
            return False
        speakers = {i: self._labelled_speaker(m) for i, m in labels.items()}
        said_by = {m.group("label"): speakers[i] for i, m in labels.items() if len(_JOINED.split(m.group("label"))) == 1}
        order = [labels[i].group("label") for i in sorted(labels) if labels[i].group("label") in said_by]
        apart = answering_apart(order, said_by, self.names, dict(self.meta.speakers))  # "Mrs. Buffay" answering Phoebe Buffay
        moved = {label: who for label, who in apart.items() if who != said_by[label]}
        speakers = {i: moved.get(m.group("label"), speakers[i]) for i, m in labels.items()}
        roles = self._labelled_roles(speakers, labels)
        first, last = min(labels), max(labels)
        # Unlabelled paragraphs between turns continue the turn before; after the last
        # turn they do so only if this document has multi-paragraph turns at all.
        multi = any(self.claims[i] is None and i not in labels for i in range(first, last))
        current = None
        if first == 0:
            self.claims[0] = None
        for i in range(first, len(self.paras)):
            if i in labels:
                current = speakers[i]
                self.claim(i, current, roles[current], start=labels[i].end())
            elif self.claims[i] is None and (stage := _STAGE_LABEL.match(self.text, *self.paras[i])):
                self.claim(i, None, NARRATOR, start=stage.end())
            elif self.claims[i] is None and _STAGE_DIRECTION.fullmatch(self.para(i)):
                self.claim(i, None, NARRATOR)
            elif self.claims[i] is None and current and (i < last or multi):
                self.claim(i, current, roles[current], new_turn=False)
        return True

    def _labelled_speaker(self, m: re.Match) -> str:
        """Who a label names: "Ann and Bo" both; "The Acting Chair (Ms. Dana Okafor)" the
        person in brackets (two acting chairs are two people); "Tom Reyes (Port Ellis, Lib.)"
        the name before them."""
        desc = re.sub(r"\s*\([^()]*\)", "", m.group("desc") or "").strip()  # "Mr. X (Riding, Party)" is Mr. X
        if desc and _PERSON_IN_BRACKETS.fullmatch(desc):
            return self.names.canonical(desc)
        return " and ".join(self.names.canonical(p) for p in _JOINED.split(m.group("label")))

    def _labelled_roles(self, speakers: dict[int, str], labels: dict[int, re.Match]) -> dict[str, str]:
        roles = {s: self.role_of(s) for s in speakers.values()}
        joint = {speakers[i] for i, m in labels.items() if len(_JOINED.split(m.group("label"))) > 1}
        people = set(speakers.values()) - joint  # "Ann and Bo: Thank you!" makes no third person
        if len(people) == 2 and all(roles[p] == "speaker" for p in people):
            # No metadata: the one who mostly asks is the interviewer.
            asks = {p: [] for p in people}
            for i, who in speakers.items():
                if who in asks:
                    asks[who].append(_ends_question(self.para(i)))
            ratio = {p: sum(a) / len(a) for p, a in asks.items()}
            asker = max(ratio, key=ratio.get)
            other = min(ratio, key=ratio.get)
            if ratio[asker] >= 0.6 and ratio[other] <= 0.2:
                roles |= {asker: "interviewer", other: "interviewee"}
        return roles

    def dashed_interview(self) -> bool:
        dashed = [i for i in range(1, len(self.paras)) if self.claims[i] is None and _DASH.match(self.para(i))]
        if len(dashed) < 4 or sum(_ends_question(self.para(i)) for i in dashed) < 2:
            return False
        interviewer, interviewee = self.participants(dashed[0])
        asking = True
        current = None
        for i in range(dashed[0], len(self.paras)):
            if self.claims[i] is not None:
                continue
            if m := _DASH.match(self.para(i)):
                # The marks don't tell question from answer: they alternate.
                current = (interviewer, "interviewer") if asking else (interviewee, "interviewee")
                self.claim(i, *current, start=self.paras[i][0] + m.end())
                asking = not asking
            elif current:
                self.claim(i, *current, new_turn=False)
        return True

    def _is_question(self, i: int) -> bool:
        text = self.para(i)
        if _is_all_quote(text) or len(text) > 500:
            return False
        if _ends_question(text):
            return True
        # "Even the ferry? Because the ferry used to bring you most of your visitors."
        sentences = re.split(r"(?<=[.!?])\s+", text)
        unquoted = re.sub(r"[\"“][^\"“”]*[\"”]|['‘][^'‘’]*['’]", "", text)
        return len(sentences) <= 2 and "?" in unquoted and bool(_SECOND_PERSON.search(text))

    def plain_interview(self) -> bool:
        free = [i for i in range(1, len(self.paras)) if self.claims[i] is None]
        questions = [i for i in free if self._is_question(i)]
        if len(questions) < 3:
            return False
        said_interview = self.meta.interviewers or self.meta.interviewees
        intro = " ".join(self.para(i) for i in free if i < questions[0])
        if not (said_interview or re.search(r"\binterview", intro, re.IGNORECASE)):
            return False
        interviewer, interviewee = self.participants(questions[0])
        qset = set(questions)
        # A short second-person paragraph just before a question is its preamble.
        for i in questions:
            j = i - 1
            if j not in qset and self.claims[j] is None and j > questions[0]:
                text = self.para(j)
                if len(text) <= 300 and re.match(r"(?:You|Your)\b", text):
                    qset.add(j)
        current = None
        for i in range(questions[0], len(self.paras)):
            if self.claims[i] is not None:
                if self.claims[i].role == "quoted" or self.claims[i].drop:
                    continue  # a pull quote sits inside an answer without ending it
                current = None
                continue
            if i in qset:
                continues = current is not None and current[1] == "interviewer"
                current = (interviewer, "interviewer")
                self.claim(i, *current, new_turn=not continues)
            elif current is not None:
                asked = current[1] == "interviewer"
                current = (interviewee, "interviewee")
                self.claim(i, *current, new_turn=asked)
        return True

    # --- 4, 5: quote sections and unattributed pull quotes -----------------------------
    def quote_sections(self) -> None:
        who = None
        for i in range(1, len(self.paras)):
            if self.claims[i] is not None:
                who = None
                continue
            text = self.para(i)
            m = _QUOTES_HEADING.search(text)
            if m and self.names.is_person(m.group("who")) and (text.rstrip().endswith(":") or len(text.split()) <= 12):
                who = self.names.canonical(m.group("who"))
                self.claim(i, None, NARRATOR)
            elif who and (text.rstrip().endswith(":") or self._mentions(text, who)):
                self.claim(i, None, NARRATOR)
                if not text.rstrip().endswith(":"):
                    who = None  # "These quotes illustrate X's view": the section is over
            elif who:
                self.claim(i, who, "quoted")

    @staticmethod
    def _mentions(text: str, person: str) -> bool:
        """Does the text name the person (by surname, possessive included)?"""
        return name_key(person).split()[-1] in name_key(text).split()

    def repeated_pull_quotes(self) -> None:
        turns = [(c.speaker, set(_words(self.text[c.start : c.end]))) for c in self.claims if c and c.role in ("interviewee", "interviewer", "speaker")]
        for i in range(1, len(self.paras)):
            if self.claims[i] is not None or not _is_all_quote(self.para(i)):
                continue
            words = _words(self.para(i))
            if len(words) < 6:
                continue
            best, share = None, 0.0
            for speaker, vocabulary in turns:
                s = sum(w in vocabulary for w in words) / len(words)
                if s > share:
                    best, share = speaker, s
            if best and share >= 0.8:
                s, e = self.paras[i]
                self.claim(i, best, "quoted", start=s + 1)
                self.claims[i].end = e - 1

    # --- 6: prose ---------------------------------------------------------------------
    def prose(self) -> list[Segment]:
        attributor = QuoteAttributor(self.names)
        out: list[Segment] = []
        for i, claim in enumerate(self.claims):
            if claim is not None:
                if claim.speaker and not claim.drop:
                    attributor.last_speaker = claim.speaker
                continue
            self.turn += 1
            s, e = self.paras[i]
            for piece in attributor.paragraph(self.text, s, e):
                role = "quoted" if piece.speaker else NARRATOR
                out.append(Segment(piece.start, piece.end, piece.speaker, role, self.turn))
        return out

    def quoted_inside_answers(self, segments: list[Segment]) -> list[Segment]:
        """`the late Professor Ruth Adeyemi said: '...'` inside an answer."""
        out = []
        for seg in segments:
            if seg.role not in ("interviewee", "speaker"):
                out.append(seg)
                continue
            inserts: list[tuple[int, int, int, int, str | None, str]] = []  # cut from, to, span, who, role
            for m in _QUOTED_INSIDE.finditer(self.text, seg.start, seg.end):
                if m.group("close") != _CLOSERS[m.group("open")] or len(m.group("body").split()) < 3:
                    continue
                who = _person_tail(m.group("who"), self.names)
                if who and who != seg.speaker:
                    inserts.append((m.start("open"), m.end("close"), *m.span("body"), who, "quoted"))
            for m in _EDITOR_NOTE.finditer(self.text, seg.start, seg.end):
                inserts.append((m.start(), m.end(), *m.span("body"), None, NARRATOR))
            cursor = seg.start
            for cut_from, cut_to, s, e, who, role in sorted(inserts):
                if cut_from < cursor:
                    continue
                out.append(Segment(cursor, cut_from, seg.speaker, seg.role, seg.turn))
                out.append(Segment(s, e, who, role, seg.turn))  # type: ignore[arg-type]
                cursor = cut_to
            out.append(Segment(cursor, seg.end, seg.speaker, seg.role, seg.turn))
        return out

    def segments(self) -> list[Segment]:
        self.title_and_pull_quotes()
        self.labelled_turns() or self.dashed_interview() or self.plain_interview()
        self.quote_sections()
        self.repeated_pull_quotes()
        prose = self.prose()
        claimed = [
            Segment(c.start, c.end, c.speaker, c.role, c.turn)  # type: ignore[arg-type]
            for c in self.claims
            if c is not None and not c.drop
        ]
        segments = sorted(self.quoted_inside_answers(claimed) + prose, key=lambda s: s.start)
        # Passes number turns as they claim paragraphs; renumber them in reading order.
        order: dict[int, int] = {}
        for seg in segments:
            order.setdefault(seg.turn, len(order))
        return [
            replace(_trim(self.text, s), turn=order[s.turn])
            for s in segments
            if _has_words(self.text[s.start : s.end])
        ]


def _person_tail(run: str, names: SpeakerNames) -> str | None:
    words = run.split()
    for i in range(len(words)):
        tail = " ".join(words[i:])
        if name_key(tail) in PRONOUNS:
            return None
        if names.known(tail) or (len(words) - i >= 2 and names.is_person(tail)):
            return names.canonical(tail)
    return None


def _unknown_name(label: str) -> bool:
    """One capitalised word English does not know ("Petrie:", "O'Brien:", not "Note:" or
    "Update:"), or one that names what a person is ("Janitor:", "Caller:"): a character
    with one line, in a transcript of labelled turns."""
    word = label.strip()
    if not re.fullmatch(r"(?:[A-Z][a-z]*[A-Z]?[a-z]+|[A-Z](?=[’'][A-Z]))(?:[-’'][A-Z]?[a-z]+)?", word):  # "McKee", "O'Brien"
        return False
    key = word.casefold()
    return key in _ONE_LINE_ROLES or key.endswith(_ROLE_ENDINGS) or not simplemma.is_known(key, lang="en")


def _numbered_or_role(label: str) -> bool:
    """A character of a script named by a number or a role of several words: "Man 1:",
    "Casting Director No. 1:", "Flight Attendant:", "Audience Member:"."""
    words = label.split()
    if not 2 <= len(words) <= 4 or not all(w[:1].isupper() or w[:1].isdigit() for w in words):
        return False
    roles = _ONE_LINE_ROLES | _ROLE_TAILS
    if re.fullmatch(r"\d{1,2}", words[-1]):  # "Man 1", "Casting Director No. 1"; not "Part 2:" or "Chapter 3:"
        named = [w for w in words[:-1] if w not in ("No.", "No", "Number")]
        return bool(named) and all(re.fullmatch(r"[A-Z][a-z]+", w) for w in named) and named[-1].casefold() in roles
    return words[-1].casefold() in roles


# What a word for a person's trade ends in ("Fireman:", "Chairwoman:", "Dressmaker:")
_ROLE_ENDINGS = ("man", "woman", "maker")
_ROLE_TAILS = frozenset("member worker official director agent supervisor representative spokesperson".split())


# What a person with one line is called in a script or a call-in show (an English word,
# unlike a name, needs saying so: "Note:" and "Update:" are nobody)
_ONE_LINE_ROLES = frozenset(
    "janitor waiter waitress bartender cashier clerk receptionist customer guest visitor caller listener "
    "doctor nurse paramedic surgeon dentist vet officer policeman policewoman cop detective guard soldier "
    "judge lawyer witness juror priest minister rabbi imam teacher student professor principal coach "
    "man woman guy girl boy kid child baby mom mum dad mother father grandma grandpa stranger neighbour "
    "neighbor driver pilot stewardess attendant passenger salesman saleswoman manager boss secretary "
    "assistant chef cook announcer narrator actor actress voice crowd audience everyone all both others chorus "
    "operator dispatcher interpreter translator panelist panellist moderator host anchor reporter "
    "referee umpire firefighter tailor butler maid nanny plumber electrician mechanic farmer barber "
    "hairdresser therapist psychiatrist psychologist scientist king queen prince princess "
    "speaker participant respondent interviewer interviewee "
    # ... or a group speaking as one ("Guys:", "Kids:"), or a voice through a device ("Intercom:")
    "guys girls boys kids children men women people everybody crowds "
    "intercom phone telephone radio tv television recording tape machine computer speakerphone loudspeaker".split())


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _has_words(text: str) -> bool:
    return bool(re.search(r"\w", text))


def _trim(text: str, seg: Segment) -> Segment:
    s, e = seg.start, seg.end
    while s < e and text[s] in " \t\n\r,;:":  # `, the council has...` after a cut-out note
        s += 1
    while e > s and text[e - 1] in " \t\n\r":
        e -= 1
    if (s, e) == (seg.start, seg.end):
        return seg
    return Segment(s, e, seg.speaker, seg.role, seg.turn, seg.t_start, seg.t_end)


def parse_text(text: str, meta: SourceMeta, names: SpeakerNames) -> list[Segment]:
    """Segments of a plain-text transcript, in document order, speakers canonical."""
    plain, stamps = unstamp(text, _ONE_LABEL)  # "[00:01:02] Ann Lee: ..." read as "Ann Lee: ..."
    return timed(_Parser(plain, meta, names.for_document(plain)).segments(), stamps)

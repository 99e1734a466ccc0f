"""The extractive answerer: an answer made of the retrieved transcripts' own sentences.

Example:
    "What does Lopez want for the harbour?" ->
    'Maria Lopez, in The Harbour Times: “What the harbour needs first is a new sea
    wall, ...” [1]'

How:
1. every sentence of the top passages is scored: the passage's retrieval score, plus how
   much of the question's content (IDF-weighted stems, names of speakers aside) it holds,
   plus a figure when the question asks for one; a question quotes an interviewer only when
   it asks what was asked;
2. the best sentence leads; a second speaker or source whose best sentence scores close
   gets its own quote (comparisons, "what do X and Y say"), one quote per speaker/source;
3. each quote is a Citation of the passage's own characters, so [n] -> verbatim words;
4. when the evidence is weak (calibrated on evals/cases/seeds.jsonl) it abstains and says
   so, showing the closest mentions instead of claiming anything.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from .chunking import ends_sentence, sentence_spans
from .embed import VectorCache
from .metadata import Metadata
from .read import Candidate, Reader
from .query import AGE, AGE_QUESTION, ASKED, described, enumerated, guests_asked, is_fragment, numbered_items, ordinal_asked, people_in, reacting, roster_asked, sources_named, speaker_by_name, speakers_carrying, summary_asked, who_asks
from .records import NARRATOR, Answer, Citation, Hit, Passage
from .roles import Roles
from .speakers import GREETINGS, SpeakerNames, name_key
from .terms import STOPWORDS, lemma_stem, lemma_terms, stem, terms

# Text in a transcript that speaks to a machine, not to a person (prompt injection).
INJECTION = re.compile(
    r"ignore (all |any |your |the |previous |prior |above )+(instructions|prompts?|rules)|system prompt|"
    r"you are (now )?(a|an|the) (assistant|ai|language model|chatbot)|disregard (all |your |the )?(instructions|rules)|"
    r"new instructions?:|</?(system|assistant|user)>",
    re.IGNORECASE,
)

# Words that say "tell me what someone said", not what it was about.
_FRAME = frozenset(stem(w) for w in "say said says think thinks tell told talk talks speak spoke ask asked asks "
                   "accord according mention mentioned describe view views opinion believe believes claim "
                   "explain does did interview interviewer".split())
_WHO = re.compile(r"^\s*(who|which (person|one|official|commander|leader|spokes\w*))\b", re.IGNORECASE)
# "When did she leave?" asks when; "When they found him, what did they do?" does not
_ASKS_WHEN = r"^\s*when\b(?![^?]*\b(?:what|who|whom|which|where|why|how)\b)"
_FIGURE = re.compile(
    r"\b(how (many|much|long|old|often)|what (exact )?(years?|dates?|ages?|percentages?|numbers?|amounts?|prices?|costs?)|"
    r"what(?:'s| is| was| are)? the (population|number|rate|size|cost|price|amount|date|year|age|percentage|budget)|{when}|"
    r"(?:'s|’s|his|her|their) ages?)\b".format(when=_ASKS_WHEN),
    re.IGNORECASE,
)
_WHY = re.compile(r"^\W*why\b", re.IGNORECASE)
_ASKS_WHY = re.compile(r"\b(why|how come)\b[^.!?]*\?", re.IGNORECASE)
_REASON = re.compile(r"\b(because|'cause|’cause|cause|cuz|so that|that's why|that’s why|that is why|the reason|in order to|due to)\b", re.IGNORECASE)
_COMPARE = re.compile(r"\b(compare\w*|comparison|differ\w*|both|each|versus|vs\.?|agree|disagree|same)\b", re.IGNORECASE)
# A quote takes its better neighbour sentence when that scores at least this share of its
# own score, up to this many characters. Measured on evals/cases/seeds.jsonl (answer
# accuracy): one sentence only 0.505; ratio 0.8 0.516; 0.6 (and below) 0.538 at 320
# characters, 0.527 at 240, 0.548 at 400 and at 450.
EXTEND_RATIO = 0.6
MAX_QUOTE_CHARS = 400
# An answer whose best sentence shares no content word with the question must at least
# mean something close to it. On the dev cases, such sentences of answerable questions
# (paraphrases) have cosine 0.23 to 0.52; "Where did X go to university?" -> 0.13.
UNRELATED_COSINE = 0.2
# a figure in the sentence after one that covers this much of the question answers it (and
# in a reply's first sentence, when the other speaker's turn before covers it: FriendsQA dev,
# "when" questions answered 0.577 -> 0.592, each new one holding a gold answer)
FIGURE_CONTEXT_COVERAGE = 0.4
# "when": a time told this many passages before the best sentence's, in the same source
TIME_REACH = 2
# The reader's confidence is its best probability among this many of the best-scoring sentences
READ_TOP = 5
# With the phrase checks on (the default), the reader's probability is added to a sentence's
# score with this weight. Chosen on the seeds' dev cases between 0.25 and 0.1 (answer accuracy
# 0.728, 0.754; 0 gives 0.763); held-out, reported only: 0.658, 0.684 (0: 0.658).
READER_WEIGHT = 0.1
# The combiner of a sentence's features into its base score with the reader: bias, then the
# weights of the passage's fused score, word overlap, cosine and the reader's probability.
# Fitted by logistic regression on the seeds' dev cases (python -m evals.reader_fit).
READER_COMBINER = (-5.434, 3.176, 2.598, 0.725, 1.015)
# A sentence's score: the passage's fused retrieval score, the share of the question's
# weighted words it holds, its own cosine with the question (see score_sentences).
SCORE_WEIGHTS = (0.25, 0.25, 0.5)
# "What was the second demand?": added to a sentence that numbers an item so ("The second
# demand ... has to do with religion"), as a figure question's bonus for a number
ENUMERATED_BONUS = 0.15
# Added to a passage's first sentence: an answer (or a paragraph) opens with its point
# ("The ferry will not survive another winter."), then elaborates. On the seeds' dev
# set, answer accuracy .737 (0) -> .748 (0.03) -> .758 (0.05, 0.06) -> .748 (0.07) -> .717
# (0.1); the same bonus for speakers only (not the writer's paragraphs): .748 at 0.05.
LEAD_BONUS = 0.05
# "they never mention X" when the words the corpus uses in no form carry this share of the
# question's weight. It decides no dev case alone (other checks catch them too), but without
# it "Is <speaker> married?" is answered "Only time will tell." It also abstains where the
# answer names an instance of what is asked ("What animal does he own?": "a monkey"), about
# 1% of FriendsQA dev questions.
UNKNOWN_SHARE = 0.95
# A sentence from a source where none of the people the question names speaks: neither their
# words nor a writer's account of them. On the seeds' dev set the same accuracy at 1.0, 0.85
# and 0.7; at 1.0 "the second demand" the spokesman named led with another man's "Second, ..." from another piece.
OTHER_SOURCE_WEIGHT = 0.85
# "Who is X?": X's own sentences count this much, and a sentence of someone else's that
# names X gains this (what others say of X describes X; X's opinions don't)
DESCRIBED_OWN_WEIGHT = 0.5
DESCRIBED_BONUS = 0.15
INTRODUCED_BONUS = 0.1  # and one that says who X is where it names X ("X, the spokesperson for") gains this too
# "Who interviewed X?": a further interviewer is named when their turn scores at least this
# share of the first one's
WHO_ASKS_BAR = 0.6
# "Who urged X?": a speaker recounting that someone else of the transcripts did ("Professor
# X told them ...") yields the lead to that person's own sentence when it scores this much of it
RECOUNTED_BAR = 0.5
# Beyond the first quote, another one is added when it scores at least this share of the
# best (comparisons: COMPARE_BAR), up to PLAIN_QUOTES quotes (comparisons: max_quotes).
MORE_QUOTES_BAR = 0.75
COMPARE_BAR = 0.7
PLAIN_QUOTES = 3
PLACE_CONTEXT_CHARS = 400  # a figure's passage and the same voice's before it, to this length, name what it is about
PLACE_BAR = 0.6  # "where ...?": a sentence naming a place leads if it scores this share of the best
RELATION_REACH = 4  # "the capital of France": "capital" at most this many words from "France"
NAME_REACH = 8  # "the name of the leader": a name at most this many words from "leader"
SUBSTANCE_WORDS = 8  # a main point is a sentence of at least this many words ("God willing," is not)
# Measured on the dev cases: answer accuracy two quotes, other speaker or source only, 0.538;
# three, the same voice allowed, bar 0.75: 0.570 (bar 0.7 the same, longer answers).
# A question's own sentences (an interviewer's, a rhetorical one) and headings weigh less:
QUESTION_WEIGHT = 0.5
# ... and when the question asks what was asked, the asker's sentences weigh more (answer
# accuracy 0.613 -> 0.624 at 1.2; 1.5 the same).
ASKER_WEIGHT = 1.2
# ... and when it asks how someone reacted, the first sentence of their reply, this times the
# score of the turn it answers
REPLY_SCORE = 1.2
REPLY_REACH = 3  # passages (stage directions, the reply's first words) between a turn and a reply
FRAGMENT_WEIGHT = 0.5
# A question naming two or more people takes each one's best sentence, judged by its score
# plus this times its cosine with the first quote, so the sides speak to the same point. On
# the dev set's four such comparisons the picks read better at 0.6 (s056: the second person
# on the state structure the first one names, not on terrorism); accuracy is unchanged at
# 0, 0.3, 0.6 and 1.0, because each of those cases also wants a word another source holds.
# Raised to 1.0 when the first-sentence bonus and the content words sklearn stops had tipped
# s056 back to "legitimizing ... such a government" by 0.002 (the same accuracy at 0.8-1.5).
SAME_POINT_WEIGHT = 1.0
# A further quote whose content words are more than this share of another quote's (of the
# shorter one's) says the same thing again and is skipped. Measured on the dev set: 0.8 let
# one sentence through twice, once inside a longer quote (s026, 0.58); 0.55 changes three
# answers, each now quoting a different point, accuracy 0.645 -> 0.656; 0.7 and 0.6 change
# nothing.
SAME_WORDS = 0.55
# "Where are they?": a script's scene heading ("[Scene: Central Perk. Ross enters.]", "INT.
# HARBOUR OFFICE - NIGHT") says where its people are, and outscores what they say by this.
# FriendsQA dev, "where" questions: a quote holds a gold answer 0.579 -> 0.636 at 0.1 and
# 0.15, 0.622 at 0.25 (not for "where did it come from", which lost two at 0.15); "what is X
# doing" (below), "what" questions 0.594 -> 0.614 at 0.1, 0.618 at 0.15.
# "where are they?", "in which location ...?"; not where something came from
_WHERE = re.compile(r"^\W*(?:where\b|(?:in\s+|at\s+)?(?:which|what)\s+(?:location|place|room|building|setting)\b)(?![^?]*\bfrom\b)",
                    re.IGNORECASE)
_SETTING = re.compile(r"[\[(]\s*(?:scene|setting|location)\s*[:,]|^\W*(?:INT|EXT)\.\s", re.IGNORECASE)
SETTING_BONUS = 0.15
# ... and "What is Ross doing?" the script's stage directions that name him ("(Ross is
# checking his messages.)")
_DOING = re.compile(r"^\W*(?i:what)(?:['’]s|\s+is|\s+are|\s+was|\s+were)\s+(?:[A-Z][\w’'-]*\s+){1,4}(?:and\s+(?:[A-Z][\w’'-]*\s+){1,3})?doing\b")
_STAGE = re.compile(r"^\W*(?:[#\w]+:\s*)?[(\[]")  # "(Ross sits.)", "NOTE: [He leaves.]"
# what someone is doing or how they do it, which a script's stage directions tell: "Who is
# baking?", "What are Ross and Rachel preparing?", "How does Monica drink the water?"
_ACTING = re.compile(r"^\W*(?:what|who|how|which)\b[^?]*?\b(?:is|are|was|were)\s+(?:\w+\s+){0,4}?\w{3,}ing\b|"
                     r"^\W*how\s+(?:does|did|do)\s+(?:[A-Z][\w’'-]*\s+){1,3}[a-z]+", re.IGNORECASE)
_NUMBER = re.compile(r"\d")
_NUMBER_WORDS = ("two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
                 "eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety")
_NUMBER_WORD = re.compile(rf"\b({_NUMBER_WORDS}|hundreds?|thousands?|millions?|billions?|dozens?)\b", re.IGNORECASE)
# an age in the speaker's own words: "I'm 25", "I told him I was 22", "I'll be forty"
_OWN_AGE = re.compile(rf"\bI(?:['’]m| am| was| turned| turn| will be|['’]ll be)\s+(?:only |just |almost |nearly |about )?"
                      rf"(?:\d{{1,3}}|{_NUMBER_WORDS})\b(?!\s*(?:%|percent|minutes|hours|days|weeks|months|dollars|pounds|euros))")
_HOW_LONG = re.compile(r"\bhow long\b", re.IGNORECASE)
_UNITS_OF_TIME = r"(?:centur(?:y|ies)|decades?|years?|months?|weeks?|days?|hours?|minutes?)"
_SPAN = re.compile(rf"\b(?:(?:a|an|one|half\s+a|several|many|a\s+few|\d+|{_NUMBER_WORDS})\s+(?:[a-z]+\s+)?{_UNITS_OF_TIME}"
                   rf"|for\s+(?:the\s+past\s+)?{_UNITS_OF_TIME}|since\s+(?:the\s+)?\w+)\b", re.IGNORECASE)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE_QUESTION = re.compile(rf"\b(what (exact )?(date|day|year|month))\b|{_ASKS_WHEN}", re.IGNORECASE)
_DATE_NAMED = re.compile(r"\b(exact|date|day|year|month)\b", re.IGNORECASE)  # "what exact date", "which year"
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_SEASONS = "spring|summer|autumn|fall|winter"
# a date: a month or a year
_DATE = re.compile(rf"\b({_MONTHS})\b|\b(1[89]|20)\d\d\b", re.IGNORECASE)
# ... and for a plain "when", a time told as people say it ("tomorrow", "last spring", "two
# days ago", "in 45 minutes", "after the vote"; not "for a year", which says how long), a time
# of life or of the year ("back in college", "on her birthday", "over dinner", "every summer");
# not "never" or "always", which say whether, not when, nor a "before" that ends the sentence
# ("he had never been to a party before"). "what exact date" wants a date.
# FriendsQA dev, answers: a quote holds a gold answer 0.497 -> 0.507 with those times of life
# and year (0.511 with "never" too, but then "When was X killed?" took "never penetrated").
_TOLD_TIME = re.compile(rf"\b({_WEEKDAYS}|today|tonight|tomorrow|yesterday|ago|later|soon|recently|now|"
                        rf"the other day|one day|someday|eventually|in the future|noon|midnight|o'clock)\b"
                        rf"|\b\d{{1,2}}(:\d\d)?\s*([ap]\.?m\b\.?)"
                        rf"|\b(in|another|within)( about| like)? (a|an|\d+|a few|a couple of|several|{_NUMBER_WORDS}) "
                        rf"(second|minute|hour|day|night|week|month|year)s?\b"
                        rf"|\b(after|before|until|till|as soon as|the moment|the minute|whenever)\b(?=\s+\w)"
                        rf"|\b(next|last|this|that) (week|weekend|month|year|decade|{_SEASONS}|morning|afternoon|evening|night|{_WEEKDAYS})\b"
                        rf"|\b(one of these days|back then|at the time|during|growing up)\b"
                        rf"|\b(every|each) (day|night|week|weekend|month|year|morning|evening|time|{_SEASONS}|{_WEEKDAYS})\b"
                        rf"|\b(in|at|from|since) (the )?((high|grade|grad|graduate|middle|elementary|primary|law|med|medical|summer) school|college|university|kindergarten|junior high|(\w+) grade)\b"
                        rf"|\b(on|for|at|before|after|since) (my|his|her|their|your|our|the) ((\w+) )?(birthday|anniversary|wedding|honeymoon|graduation)\b"
                        rf"|\b(over|at|during) (dinner|lunch|breakfast|brunch)\b"
                        rf"|\b(at|by|from|till|until) (dawn|dusk|sunrise|sunset|daybreak|nightfall|first light|bedtime|night)\b"
                        rf"|\b(christmas|thanksgiving|halloween|easter|hanukkah|new year's|valentine's day|fourth of july)\b"
                        rf"|\b(when|while) (I|we|you|he|she|they) (was|were)\b|\bas (a |an )?(kids?|child|children|teenagers?|boys?|girls?)\b"
                        rf"|\b(in|by|until) the (morning|afternoon|evening|past|end|beginning|(\d0|'\d0)s|(fif|six|seven|eigh|nine)ties)\b",
                        re.IGNORECASE)
_NAME_RE = r"(?:[A-Z][\w’'.-]+\s+){0,3}[A-Z][\w’'-]+"
# "What did Dana Okafor say", "according to Okafor", "What did Councillor Tom Reyes tell Radio North"
_SAID_BY = re.compile(
    rf"\b(?i:did|does|do|has|have|had)\s+(?P<who>{_NAME_RE})(?:\s+[a-z]+)?\s+"
    rf"(?i:say|said|tell|told|think|write|wrote|tweet|claim|argue|respond|answer|mean|predict|warn)\b"
    rf"|\b(?i:according to)\s+(?P<who2>{_NAME_RE})"
)
_UNIT = re.compile(r"\bin (?:us |u\.s\. )?(?P<unit>dollars|euros|pounds|percent|rupees|yuan|roubles|rubles|kilomet\w+|miles)\b", re.IGNORECASE)
_AUXILIARIES = frozenset("does did do is are was were has have had will would can could say says said".split())
_COUNTED = re.compile(r"\b(?:how (?:many|much)|the number of)\s+(.*)", re.IGNORECASE)
# counted by its own name: "the population", "the Taliban's yearly revenue"
_MEASURES = r"population|budget|revenues?|income|salary|salaries|profits?|turnover|wages?"
_MEASURE = re.compile(rf"\b(?:(?:the\s+)?[\w’'-]+['’]s|the|its|their|his|her)\s+(?:[a-z]+\s+)?({_MEASURES})\b", re.IGNORECASE)
# "What is the Taliban's yearly revenue?": a figure is asked for ("What did she say about the budget?" is not)
_MEASURE_ASKED = re.compile(rf"^\W*what(?:['’]s|\s+is|\s+was|\s+are|\s+were)\s+(?:the\s+)?(?:[\w’'-]+\s+){{0,3}}?(?:{_MEASURES})\b",
                            re.IGNORECASE)
# "which musicians", "what is the population of" -> the thing asked about
_VAGUE = frozenset("ones things thing kind kinds type types part parts sort sorts way ways people person"
                   " location place item event situation subject reason name names".split())
# Words that say what kind of answer is wanted, not what it is about: that the transcripts
# never use them ("How did she react?", "In which location ...?") is no reason to abstain.
_ASKED_FOR = frozenset(stem(w) for w in "react reaction respond response happen happened situation location place "
                       "event conversation subject item reason doing name names job occupation profession".split())
_AGE_WORDS = frozenset(stem(w) for w in ("old", "age"))  # "How old is she?" asks for an age
_WH_WORDS = frozenset("how why what whether when where who which if".split())
# "What did she say about the harbour?": what it is about, at the end of the question
_ABOUT = re.compile(r"\babout\s+(?:the\s+|a\s+|an\s+)?(?P<topic>[^?.!,;:]+?)\s*[?.!]?\s*$", re.IGNORECASE)
# "What is the capital of France?": the thing asked for, and whose it is (a name)
_RELATION = re.compile(r"^\W*(?i:what|which|who)(?i:['’]s|\s+is|\s+was|\s+are|\s+were)\s+(?i:the)\s+(?P<adjective>[a-z]+\s+)?(?P<focus>[a-z]{4,})\s+of\s+"
                       r"(?P<of>[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*)\s*\??\s*$")
# "What is the name of Okafor's boat?": what is to be named
_NAME_OF = re.compile(r"\bnames?\s+of\s+(?P<what>[^?.!,;:]+?)\s*[?.!]?\s*$", re.IGNORECASE)
_ASKS_WHERE = re.compile(r"^\W*where\b", re.IGNORECASE)
_PLACED = frozenset("in to at from near into across toward towards outside inside".split())  # a name after these is a place
_PLACE = re.compile(rf"\b(?:{'|'.join(sorted(_PLACED))})\s+(?:the\s+)?([A-Z][\w’'-]+)")
_FOCUS = re.compile(r"\b(?:which|what is the|what's the|what was the|what are the)\s+(\w{4,})", re.IGNORECASE)
# "Which provinces ...?" asks for them by name; "in different provinces" names none, unless
# a list follows ("several provinces, such as North and South", "provinces: A, B")
_WHICH_PLURAL = re.compile(r"^\W*(?:in\s+|from\s+|to\s+)?(?:which|what)\s+(?P<noun>[a-z]{3,}s)\s+"
                           r"(?:did|do|does|will|would|are|were|have|has|had|can|could|should|might|may)\b", re.IGNORECASE)
# (not "all": "all provinces" answers "which provinces")
_VAGUE_QUANTITY = r"(?:different|various|several|some|many|other|certain|numerous|multiple|a\s+number\s+of|a\s+few|few)"

@dataclass(frozen=True)
class Scored:
    hit: Hit
    start: int  # sentence offsets inside hit.passage.text
    end: int
    score: float
    overlap: float  # share of the question's weighted terms the sentence holds
    cosine: float = 0.0  # the sentence's embedding cosine with the question
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)  # its embedding
    prob: float = 0.0  # the reader's probability that the sentence answers the question (rag/read)

    @property
    def sentence(self) -> str:
        return self.hit.passage.text[self.start : self.end]


class QuestionTerms:
    """The question's content words, weighted by how rare they are in the corpus."""

    def __init__(self, question: str, df: dict[str, int], n_docs: int, speaker_words: set[str],
                 source_words: frozenset[str] = frozenset()):
        stems = terms(question)
        self.lemmas = dict(zip(stems, lemma_terms(question)))  # "stolen" -> "steal"
        words = [t for t in stems if t not in _FRAME]
        self.speaker_order = list(dict.fromkeys(t for t in words if t in speaker_words))  # as the question names them
        self.speaker_terms = set(self.speaker_order)
        # who and where ("Okafor", "the Herald") pick the passages; the rest says what about
        topical = [t for t in words if t not in speaker_words and t not in source_words] or words
        self.weights = {t: math.log(1 + n_docs / (1 + df.get(t, 0))) for t in dict.fromkeys(topical)}
        self.total = sum(self.weights.values()) or 1.0

    def coverage(self, text: str) -> float:
        """The share of the question's weighted words the text holds, in any form ("stolen"
        in "steals")."""
        present = set(terms(text))
        if all(t in present for t in self.weights):
            return 1.0
        forms = set(lemma_terms(text))
        return sum(w for t, w in self.weights.items() if t in present or self.lemmas.get(t, t) in forms) / self.total


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, metadata: Metadata, df: dict[str, int], n_docs: int, speakers: set[str],
                 threshold: float, max_quotes: int = 3, names: SpeakerNames | None = None,
                 min_similarity: float = 0.32, embedder=None, source_words: Mapping[str, frozenset[str]] | None = None,
                 source_speakers: Mapping[str, frozenset[str]] | None = None,
                 speaker_roles: Mapping[str, Mapping[str, str]] | None = None, vectors: VectorCache | None = None,
                 preceding: Callable[[Passage], Passage | None] | None = None, roles: Roles | None = None,
                 reader: Reader | None = None, reader_threshold: float = 0.5,
                 combiner: tuple[float, ...] = (0.0, 0.25, 0.25, 0.5, 0.0), rules: bool = True):
        self.metadata = metadata
        self.names = names or SpeakerNames(metadata.people)
        self._prefixes: dict[str, bool] = {}
        self.df, self.n_docs = df, n_docs
        self.speakers = speakers
        self.speaker_words = {stem(w) for s in speakers for w in name_key(s).split()}
        self.publications = dict(source_words or {})  # per source, the words of its publication's name
        self.source_speakers = dict(source_speakers or {})  # per source, who speaks in it
        self.speaker_roles = dict(speaker_roles or {})  # per speaker, per source, the part they play
        self.source_words = frozenset(stem(w) for ws in self.publications.values() for w in ws)
        self.threshold = threshold
        self.min_similarity = min_similarity
        self.embedder = embedder
        # the sentences' vectors, kept between questions (shared by the answerers of one pipeline)
        self.vectors = vectors if vectors is not None else (VectorCache(embedder, 0) if embedder is not None else None)
        self.max_quotes = max_quotes
        # the passage before a passage in its source (the turn a reply answers), where known
        self.preceding = preceding or (lambda passage: None)
        self.roles = roles  # who the transcripts call what ("the spokesperson")
        # the reader (rag/read): P(sentence answers). With the phrase checks (`rules`, the
        # default) it adds READER_WEIGHT x P to each sentence's score; without them (measured
        # worse, README) a sentence's score is the fitted combiner of its features and the
        # answer abstains when no sentence near the top reaches reader_threshold
        self.reader = reader
        self.reader_threshold = reader_threshold
        self.combiner = combiner  # bias, then weights of: passage score, overlap, cosine, reader probability
        self.rules = rules  # the phrase checks of check_answerable (figures, relations, topics)

    # --- evidence ----------------------------------------------------------------------
    def score_sentences(self, question: str, hits: list[Hit], describes: str = "") -> tuple[list[Scored], QuestionTerms]:
        qt = QuestionTerms(question, self.df, self.n_docs, self.speaker_words, self.source_words)
        wants_figure = bool(_FIGURE.search(question) or _MEASURE_ASKED.search(question))
        wants_place = bool(_WHERE.search(question))
        wants_action = bool(_DOING.search(question))
        acting = not wants_action and bool(_ACTING.search(question))
        about_asking = bool(ASKED.search(question))
        reacts = reacting(question, self.names, self.speakers, {h.passage.speaker for h in hits})
        ordinal = enumerated(question)
        named = {s for s in self.speakers if set(stem(w) for w in name_key(s).split()) & qt.speaker_terms}
        spans = [(hit, s, e) for hit in hits for s, e in sentence_spans(hit.passage.text, 0, len(hit.passage.text))]
        similarity, vectors = self._similarity(question, [hit.passage.text[s:e] for hit, s, e in spans])
        probs = self._read(question, spans)
        scored = []
        for (hit, s, e), cosine, vector, prob in zip(spans, similarity, vectors, probs):
            p = hit.passage
            sentence = p.text[s:e]
            # measured on evals/cases/seeds.jsonl: a quote's lead-in counted in its first
            # sentence's word overlap, 58 -> 60 of 93 answerable cases right. In its cosine
            # too, the same 60, but the lead-in's name ("X shared ...") then made "Where did X
            # go to university?" look answered (abstention 0.85 -> 0.80).
            overlap = qt.coverage(_in_context(p, s, e))
            # measured on evals/cases/seeds.jsonl: adding the sentence's own cosine to the
            # passage score and word overlap lifts answer accuracy from 0.43 to 0.47
            w_hit, w_overlap, w_cosine = SCORE_WEIGHTS
            score = w_hit * hit.score + w_overlap * overlap + w_cosine * cosine
            if self.reader is not None and self.rules:
                score += READER_WEIGHT * prob  # the reader beside the older score and its phrase checks
            elif self.reader is not None:
                b, *w = self.combiner
                score = 1.0 / (1.0 + math.exp(-(b + w[0] * hit.score + w[1] * overlap + w[2] * cosine + w[3] * prob)))
            if s == 0:
                score += LEAD_BONUS  # a passage's first sentence states its point; the rest elaborate
            if wants_figure and _NUMBER.search(sentence):
                score += 0.15
            setting = p.speaker == NARRATOR and (
                (wants_place and bool(_SETTING.search(sentence)))
                or ((wants_action or (acting and overlap > 0)) and _staged(p, s, e)
                    and (any(set(name_key(person).split()) & set(name_key(sentence).split()) for person in named)
                         or (acting and not named))))
            if ordinal and ordinal in numbered_items(_in_context(p, s, e)):
                score += ENUMERATED_BONUS  # "the second demand": the sentence that numbers it so
            if not about_asking and (p.role == "interviewer" or _asks(sentence)) and not (
                    describes and not _asks(sentence) and self.names.introduces(sentence, describes)):
                # a question (an interviewer's, or a rhetorical one) rarely answers one; a host
                # introducing the guest ("My guest today is Dr. Tomas Berg, a ...") says who they are
                score *= QUESTION_WEIGHT
            if about_asking and p.role == "interviewer":
                score *= ASKER_WEIGHT  # "what did she ask": the asker's words are the answer
            if setting:
                score += SETTING_BONUS  # "where are they?": the scene's setting says
            elif is_fragment(p) or (p.speaker == "narrator" and e >= len(p.text.rstrip()) and s > 0 and not ends_sentence(sentence)):
                # a heading or a link title names a topic; it says nothing of it. So does a
                # caption run on after a sentence ("... Photos courtesy of X")
                score *= FRAGMENT_WEIGHT
            if describes:  # "who is X": what is said of X, best in X's name
                if p.speaker == describes:
                    score *= DESCRIBED_OWN_WEIGHT
                elif not is_fragment(p) and self.names.mentions(_VOCATIVE.sub("", _in_context(p, s, e)), describes):
                    # (said of X, not to X: "Tomas Berg, thank you." describes no one)
                    score += DESCRIBED_BONUS
                    if self.names.introduces(sentence, describes):  # "Khosty, who handles ..."
                        score += INTRODUCED_BONUS
            elif named and p.speaker in named:
                score += 0.1
            elif named and p.speaker == "narrator" and not setting:
                score *= 0.85  # prefer the person's own words to a summary of them
            if named and not describes and not (self.source_speakers.get(p.source, frozenset()) & named):
                score *= OTHER_SOURCE_WEIGHT
            scored.append(Scored(hit, s, e, score, overlap, cosine, vector, prob))
        best: dict[str, float] = {}  # per passage, its best sentence's score
        if reacts or about_asking:
            for x in scored:
                best[x.hit.passage.id] = max(best.get(x.hit.passage.id, 0.0), x.score)
        if reacts:
            # "how did he react when she said ...": his first words after her turn that matches
            replies = {id(h): replace(h, beside=turn) for h in hits if (turn := self._replied(h, reacts)) in best}
            scored = [replace(x, hit=replies[id(x.hit)], score=max(x.score, REPLY_SCORE * best[replies[id(x.hit)].beside])
                              if x.start == 0 else x.score) if id(x.hit) in replies else x for x in scored]
        elif about_asking:
            # "what did she ask when he said ...": her turn beside the answer that matches
            scored = [replace(x, score=max(x.score, ASKER_WEIGHT * best[x.hit.beside]))
                      if x.hit.beside in best and x.hit.passage.role == "interviewer" else x for x in scored]
        elif any(h.beside for h in hits):
            # a reply to an interviewer's question that asks what the question asks ("What made
            # you write it?" for "why did she write the book?"): its first sentence scores as that
            # question would, were it not a question
            w_hit, w_overlap, w_cosine = SCORE_WEIGHTS
            asked: dict[str, float] = {}
            for x in scored:
                if x.hit.passage.role == "interviewer" and _asks(x.sentence):  # (what the reply answers, not the set-up)
                    asked[x.hit.passage.id] = max(asked.get(x.hit.passage.id, 0.0), w_overlap * x.overlap + w_cosine * x.cosine)
            scored = [replace(x, score=max(x.score, w_hit * x.hit.score + asked[x.hit.beside]))
                      if x.start == 0 and x.hit.beside in asked and x.hit.passage.role != "interviewer" else x for x in scored]
        scored.sort(key=lambda x: -x.score)
        return scored, qt

    def _read(self, question: str, spans: list[tuple[Hit, int, int]]) -> list[float]:
        """The reader's probability for each sentence, read with its speaker and the question
        it replies to (0 for every one without a reader)."""
        if self.reader is None or not spans:
            return [0.0] * len(spans)
        candidates = [Candidate(_in_context(h.passage, s, e), "" if h.passage.speaker == NARRATOR else h.passage.speaker,
                                h.passage.question) for h, s, e in spans]
        return [float(x) for x in self.reader.score(question, candidates)]

    def read_confidence(self, scored: list[Scored]) -> float:
        """The reader's best probability among the sentences that score near the top."""
        return max((s.prob for s in scored[:READ_TOP]), default=0.0)

    def _replied(self, hit: Hit, person: str) -> str | None:
        """The id of the turn a passage of `person` replies to: the other speaker's turn just
        before it, past a stage direction or the person's own words just before (the same
        reply: "Oh. Uh, I'm on." / "Mr. Bing's office.")."""
        if hit.passage.speaker != person:
            return None
        turn = self.preceding(hit.passage)
        for _ in range(REPLY_REACH):
            if turn is None or turn.speaker not in (person, NARRATOR):
                break
            turn = self.preceding(turn)  # a stage direction, or the person's words just before
        return turn.id if turn is not None and turn.speaker not in (person, NARRATOR) else None

    def _lead_up(self, passage: Passage) -> set[str]:
        """The passage and the talk just before it, back over a word or two ("Guess what I'm
        doing tonight." / "What?" / "I'm checking out the restaurant with Pete." says when she
        goes), up to TIME_REACH turns and a turn that says something of its own."""
        ids, turn = {passage.id}, passage
        for _ in range(TIME_REACH):
            turn = self.preceding(turn)
            if turn is None:
                break
            ids.add(turn.id)
            if len(turn.text.split()) > 3 or len(terms(turn.text)) > 1:  # not "What?", "Oh?", "Huh?"
                break
        return ids

    def _similarity(self, question: str, sentences: list[str]) -> tuple[list[float], list[np.ndarray | None]]:
        """Cosine of the question with each sentence, and the sentences' vectors (0 and
        None without an embedder)."""
        if self.vectors is None or not sentences:
            return [0.0] * len(sentences), [None] * len(sentences)
        # apart: in one batch a long question would pad every short sentence to its length
        # (a 2,000-character question: 1.4 s an answer)
        q = self.vectors.encode([question])[0]
        vectors = self.vectors.encode(sentences)
        return [float(x) for x in vectors @ q], list(vectors)

    def confidence(self, hits: list[Hit], scored: list[Scored]) -> float:
        """How well the best evidence covers the question: 0 (nothing) .. 1."""
        if not scored:
            return 0.0
        dense = max((h.dense for h in hits if h.dense is not None), default=0.0)
        top_overlap = max(s.overlap for s in scored[:10])
        return 0.5 * dense + 0.5 * top_overlap

    # --- answer ------------------------------------------------------------------------
    def answer(self, question: str, query: str, hits: list[Hit], chance: Callable[[], float] | None = None) -> Answer:
        """`chance`: how close off-topic questions come to the passages searched
        (Retriever.chance_similarity). The off-topic floor is lowered to it where it is
        lower: among few or short passages (one scene of a sitcom, one speaker's turns)
        every question lies further away, the answerable ones too."""
        describes = described(query, self.names, self.speakers)  # "who is X" (a follow-up's "who is she" resolved)
        scored, _ = self.score_sentences(query, hits, describes)
        confidence = self.confidence(hits, scored)
        if who_asks(query):
            return self._who_asked(question, query, hits, scored, confidence)
        if describes in self.speakers and (part := self._part_played(question, query, describes, hits, scored, confidence)):
            return part
        if roster_asked(query, self.publications):
            return self._roster(question, query, hits, scored, confidence)
        if summary_asked(query):
            return self._openings(question, query, hits, scored, confidence)
        if ordinal_asked(query) and hits and hits[0].passage.role == "interviewer":
            # "What was the first question?": retrieval found it by its place; quote it whole
            text, citations = self.compose(question, [_opening_of(hits[0], scored)])
            return Answer(question, text, False, tuple(citations), tuple(hits), self.name, query, max(confidence, hits[0].score))
        if (said := self._only_said_by(query)) is not None:
            main = self._main_points(said, scored)
            if main:  # "What did Okafor say?" and nothing more
                text, citations = self.compose(question, main)
                return Answer(question, text, False, tuple(citations), tuple(hits), self.name, query, confidence)
        scored, missing, holding = self.check_answerable(query, scored, describes)
        if self.reader is not None and not self.rules:
            confidence = self.read_confidence(scored)
        unheld = self.roles.unheld(query) if self.roles is not None and not missing else None
        if unheld is not None:  # "the Taliban spokesman" where the spokesperson quoted speaks for others
            asked, held = unheld
            missing = f"they quote no {asked}; {held.person} is the {held.phrase}"
        # off topic: no passage is near the question, nor is a sentence that has all its words
        # (a long turn that says "Windows are clean" among other things is far from "How are
        # the windows?"; the sentence is not)
        near = max((h.dense or 0.0 for h in hits), default=0.0)
        worded = max((s.cosine for s in scored if s.overlap >= 1.0), default=0.0)
        # "where are they?" asks for the scene, and a heading that sets it answers, however far
        # its words lie from the question's; so does one that tells when ("[Scene: The
        # Theatre, after the party.]" for "when is this conversation taking place?")
        staged = bool(scored) and _sets_scene(scored[0]) and (
            _WHERE.search(query) is not None
            or (re.search(_ASKS_WHEN, query, re.IGNORECASE) is not None and _TOLD_TIME.search(scored[0].sentence) is not None))
        if max(near, worded) < self.min_similarity and (chance is None or max(near, worded) < chance()) and not staged:
            missing = missing or "nothing in them is about this"
        threshold = self.reader_threshold if self.reader is not None and not self.rules else self.threshold
        if not missing and confidence < threshold and not staged:
            missing = "nothing in them answers this question"
        chosen = [] if missing else self.choose(question, scored, holding, describes)
        if chosen and ASKED.search(query):  # "What did she ask about the pier?": her question too
            chosen = [self._on_to_the_question(c, scored) for c in chosen]
        if chosen and chosen[0].hit.beside and chosen[0].hit.passage.role != "interviewer":
            # a reply ("how did he react when ..."): what it replies to, then the reply
            said = next((x for x in chosen[1:] if x.hit.passage.id == chosen[0].hit.beside), None)
            if said is not None:
                chosen = [said, chosen[0]] + [x for x in chosen[1:] if x is not said]
        if (chosen and chosen[0].overlap == 0 and chosen[0].cosine < UNRELATED_COSINE and chosen[0].hit.beside is None
                and not any(s.hit is chosen[0].hit and s.start < chosen[0].end and chosen[0].start < s.end
                            for s in scored if id(s) in (holding or ()))):
            # the best sentence shares no word with the question and means something else
            # (a turn found beside its answer is about what that answer is about; a figure
            # found as asked, "I'm 52" for "how old is she", is what the question is about)
            missing = "nothing in them is about this"
        if missing:
            text = f"The transcripts don't say: {missing}. The closest mentions are listed below."
            return Answer(question, text, True, (), tuple(hits), self.name, query, confidence)
        text, citations = self.compose(question, chosen, describes=describes)
        return Answer(question, text, False, tuple(citations), tuple(hits), self.name, query, confidence)

    def _openings(self, question: str, query: str, hits: list[Hit], scored: list[Scored], confidence: float) -> Answer:
        """"Summarize the Herald piece": this answerer quotes, it does not write; it gives
        how each source asked about opens (retrieval put each source's opening among the
        hits), and says so."""
        named = set(sources_named(query, self.publications))
        first: dict[str, Hit] = {}
        for h in hits:
            if is_fragment(h.passage) or not ends_sentence(h.passage.text) or (named and h.passage.source not in named):
                continue  # a title, a caption, a standfirst: not how the piece opens its story
            if h.passage.source not in first or h.passage.start < first[h.passage.source].passage.start:
                first[h.passage.source] = h
        opening = list(first.values())[: len(named) or self.max_quotes]
        if not opening:
            text = "The transcripts don't say: no passage of that source was found. The closest mentions are listed below."
            return Answer(question, text, True, (), tuple(hits), self.name, query, confidence)
        chosen = [_opening_of(h, scored) for h in opening]
        text, citations = self.compose(question, chosen, preface="Quoted, not summarized; how it opens:")
        return Answer(question, text, False, tuple(citations), tuple(hits), self.name, query, max(confidence, opening[0].score))

    def _roster(self, question: str, query: str, hits: list[Hit], scored: list[Scored], confidence: float) -> Answer:
        """"Who are the speakers?": each speaker among the hits (retrieval put each one's first
        words there, who says most first), with the part they play in each source, cited by
        their first sentence."""
        named = set(sources_named(query, self.publications))
        people = [h for h in hits if h.passage.speaker != NARRATOR]
        interviewed = [h for h in people if self.speaker_roles.get(h.passage.speaker, {}).get(h.passage.source) == "interviewee"]
        guests = guests_asked(query, self.publications) and bool(interviewed)
        if guests:  # "Who is the guest?": those interviewed, as introduced
            people = interviewed
        if not people:
            where = " or ".join(sorted({self.metadata.source(s).publication or s for s in named})) or "them"
            text = f"The transcripts don't say: no one speaks in {where} but the writer. The closest mentions are listed below."
            return Answer(question, text, True, (), tuple(hits), self.name, query, confidence)
        parts, citations = [], []
        for n, h in enumerate(people, start=1):
            p = h.passage
            first = min((s for s in scored if s.hit is h), key=lambda s: s.start)
            # where someone else says who they are ("My guest today is Dr. Tomas Berg, a ..."), that
            introduced = next((s for s in scored if guests and s.hit.passage.speaker != p.speaker
                               and s.hit.passage.source == p.source and self.names.introduces(s.sentence, p.speaker)), None)
            quoted = introduced or first
            meta = self.metadata.source(p.source)
            citations.append(Citation.of(n, quoted.hit.passage, quoted.start, quoted.end, publication=meta.publication,
                                         date=meta.date, url=meta.url))
            by_part: dict[str, list[str]] = {}
            for source, role in self.speaker_roles.get(p.speaker, {p.source: p.role}).items():
                if not named or source in named:
                    by_part.setdefault(_PARTS.get(role, "speaks in"), []).append(self.metadata.source(source).publication or self.title_of(source, hits))
            where = "; ".join(f"{part} {' and '.join(places)}" for part, places in by_part.items())
            if introduced is not None:
                parts.append(f"{p.speaker} ({where}), introduced by {introduced.hit.passage.speaker}: “{introduced.sentence}” [{n}]")
            else:
                parts.append(f"{p.speaker} ({where}): “{p.text[first.start:first.end]}” [{n}]")
        everyone = {s for s, roles in self.speaker_roles.items() if not named or named & set(roles)}
        count = f"{len(people)} people" if len(people) >= len(everyone) else f"{len(people)} of the {len(everyone)} people"
        where = " and ".join(sorted({self.metadata.source(s).publication or s for s in named})) or "these transcripts"
        lead = (f"Interviewed in {where}:" if guests else
                f"{count} speak in {where}; here they are, those who say most first, each with their first words:")
        return Answer(question, f"{lead} " + " ".join(parts), False, tuple(citations), tuple(hits), self.name, query,
                      max(confidence, people[0].score))

    def _part_played(self, question: str, query: str, person: str, hits: list[Hit], scored: list[Scored],
                     confidence: float) -> Answer | None:
        """"Who is Dana Lee?" where no one else speaks of her but to thank her ("Thank you,
        Dana.") or in a byline, though she speaks: the part she plays where she speaks (asks
        the questions, is interviewed), cited by her own words there."""
        if any(s.hit.passage.speaker != person and not is_fragment(s.hit.passage)
               and self.names.mentions(_VOCATIVE.sub("", s.sentence), person) for s in scored):
            return None  # someone speaks of them (more than a byline): the usual answer quotes it
        own = [s for s in scored if s.hit.passage.speaker == person]
        if not own:
            return None
        first = min(own, key=lambda s: (s.hit.passage.source, s.hit.passage.start + s.start))
        p = first.hit.passage
        role = self.speaker_roles.get(person, {}).get(p.source, p.role)
        meta = self.metadata.source(p.source)
        where = meta.publication or self.title_of(p.source, hits)
        text = f"{person} {_PLAYS.get(role, 'speaks in')} {where}: “{first.sentence}” [1]"
        citation = Citation.of(1, p, first.start, first.end, publication=meta.publication, date=meta.date, url=meta.url)
        return Answer(question, text, False, (citation,), tuple(hits), self.name, query, confidence)

    @staticmethod
    def title_of(source: str, hits: list[Hit]) -> str:
        return next((h.passage.title for h in hits if h.passage.source == source), source)

    def _who_asked(self, question: str, query: str, hits: list[Hit], scored: list[Scored], confidence: float) -> Answer:
        """"Who interviewed X?": each interviewer among the hits (retrieval put the first
        question of each of X's interviews first), quoted by their opening question. A
        question naming a publication where no one asks anything gets an abstention."""
        named = set(sources_named(query, self.publications))
        people = set(people_in(query, self.names, self.speakers)) - {"narrator"}
        askers = [h for h in hits if h.passage.role == "interviewer" and (not named or h.passage.source in named)
                  and (not people or people & self.source_speakers.get(h.passage.source, frozenset()))]
        if not askers:
            where = " or ".join(sorted({self.metadata.source(s).publication or s for s in named}))
            why = (f"no one asks questions in {where}" if where else
                   f"no interviewer's questions to {' or '.join(sorted(people))} are in them" if people else "no one asks questions in them")
            text = f"The transcripts don't say: {why}. The closest mentions are listed below."
            return Answer(question, text, True, (), tuple(hits), self.name, query, confidence)
        chosen, seen = [], set()
        for h in askers:
            if h.passage.speaker in seen or h.score < WHO_ASKS_BAR * askers[0].score or len(chosen) == self.max_quotes:
                continue
            seen.add(h.passage.speaker)
            chosen.append(_opening_of(h, scored))
        text, citations = self.compose(question, chosen)
        return Answer(question, text, False, tuple(citations), tuple(hits), self.name, query, max(confidence, askers[0].score))

    def choose(self, question: str, scored: list[Scored], holding: set[int] | None = None, describes: str = "") -> list[Scored]:
        """The best sentence, then the best of each other speaker/source that comes close.
        A "who" question leads with a person's words; a question naming several speakers
        gets each one's best sentence. With `holding` (a figure question: the ids of the
        sentences that hold one), every quote holds the figure."""
        best = scored[0]
        if best.hit.passage.role == "interviewer" and _asks(best.sentence) and not ASKED.search(question):
            # the interviewer's question is what the question echoes, not its answer: lead with
            # the best sentence that says something, where there is one
            best = next((s for s in scored if not (s.hit.passage.role == "interviewer" and _asks(s.sentence))
                         and (holding is None or id(s) in holding)), best)
        recounted = None
        # ("who is pouring tea?": the stage direction that says so is the answer, not her words)
        acted = bool(_ACTING.search(question)) and best.hit.passage.speaker == NARRATOR and _staged(best.hit.passage, best.start, best.end)
        if _WHO.search(question) and not describes and not acted:
            told = self._recounted(best, scored)  # "Reyes argued that ...": Reyes's own words
            if told is None:
                person = next((s for s in scored if s.hit.passage.role in ("interviewee", "quoted", "speaker")), None)
                if person is not None and person.score >= 0.6 * best.score:
                    best = person
                told = self._recounted(best, scored)  # "I remember Professor X told them ...": X's own
            if told is not None:  # the one whose words are recounted leads, in their own words
                best, recounted = told, best
        chosen = [self._extend(best, scored)]
        seen = {best.hit.passage.id}
        if recounted is not None:
            chosen.append(self._extend(recounted, scored))
            seen.add(recounted.hit.passage.id)
        comparing = bool(_COMPARE.search(question))
        qt = QuestionTerms(question, self.df, self.n_docs, self.speaker_words, self.source_words)
        def mentioned(person: str) -> int:  # where the question names them
            return min((qt.speaker_order.index(t) for t in {stem(w) for w in name_key(person).split()} & qt.speaker_terms), default=-1)

        named = sorted((s for s in self.speakers if mentioned(s) >= 0), key=lambda s: (mentioned(s), s))
        if len(named) >= 2:
            for person in named:
                if person == best.hit.passage.speaker:
                    continue
                theirs = [s for s in scored if s.hit.passage.speaker == person and s.overlap > 0
                          and (holding is None or id(s) in holding)]
                # the sentence on the same point as the first quote: "a new pier" / "rebuild the quay"
                own = max(theirs, key=lambda s: s.score + SAME_POINT_WEIGHT * _cos(s, best), default=None)
                if own is not None and len(chosen) < self.max_quotes:
                    chosen.append(self._extend(own, scored))
            return self._with_reason(chosen, scored) if _WHY.search(question) else chosen
        bar = COMPARE_BAR if comparing else MORE_QUOTES_BAR
        for cand in scored[1:]:
            if len(chosen) >= (self.max_quotes if comparing else PLAIN_QUOTES):
                break
            # one quote a passage; the same voice may be quoted again from another passage
            if cand.hit.passage.id in seen or cand.score < bar * best.score or cand.overlap <= 0:
                continue
            if holding is not None and id(cand) not in holding:
                continue  # "when was he killed": a quote without the date is no answer
            if any(_same_words(cand, c) for c in chosen):
                continue
            extended = self._extend(cand, scored)
            if any(_shows_lead_in(a, b) for c in chosen for a, b in ((c, extended), (extended, c))):
                continue  # the writer's words one quote already gives as its lead-in
            chosen.append(extended)
            seen.add(cand.hit.passage.id)
        if _WHY.search(question):
            chosen = self._with_reason(chosen, scored)
        if holding is not None and AGE_QUESTION.search(question):
            # "how old is X": each source that gives an age gives its own; they may differ
            cited = {c.hit.passage.source for c in chosen}
            for cand in scored:
                if len(chosen) >= self.max_quotes:
                    break
                if id(cand) in holding and cand.hit.passage.source not in cited:
                    chosen.append(self._extend(cand, scored))
                    cited.add(cand.hit.passage.source)
        return chosen

    def _with_reason(self, chosen: list[Scored], scored: list[Scored]) -> list[Scored]:
        """For "why didn't she tell anyone?": the best sentence often says what she did ("I
        didn't tell anybody I knew you."), and the reason comes just after it; it is quoted
        second, in place of the last quote that only came close."""
        if _REASON.search(chosen[0].sentence):
            return chosen
        reason = self._reason(chosen[0], scored)
        if reason is None:  # someone in the transcript asks it ("How come you blew me off?"): the reply
            asking = next((i for i, c in enumerate(chosen) if _ASKS_WHY.search(c.sentence)), None)
            if asking is not None:
                reply = [s for s in scored if s.hit.passage.speaker != chosen[asking].hit.passage.speaker
                         and getattr(self.preceding(s.hit.passage), "id", None) == chosen[asking].hit.passage.id]
                if reply:
                    answer = min(reply, key=lambda s: s.start)
                    return [*chosen[: asking + 1], answer, *chosen[asking + 1 :]][: max(PLAIN_QUOTES, len(chosen))]
            return chosen
        if any(c.hit is reason.hit and _REASON.search(c.sentence) for c in chosen):
            return chosen
        return [chosen[0], reason, *chosen[1:]][: max(PLAIN_QUOTES, len(chosen))]

    def _reason(self, best: Scored, scored: list[Scored]) -> Scored | None:
        """A sentence that gives a reason ("because ...", "'cause ...", "that's why ...") just
        after the best one: later in its passage, or in the turn after it, or after a short
        question between ("I didn't tell anybody." / "Why not?" / "Oh, because ...")."""
        def follows(p: Passage) -> bool:
            turn = self.preceding(p)
            for _ in range(2):
                if turn is None:
                    return False
                if turn.id == best.hit.passage.id:
                    return True
                if len(turn.text.split()) > 4 or not turn.text.rstrip(" ”\"'’").endswith("?"):
                    return False
                turn = self.preceding(turn)
            return False

        after = [s for s in scored if _REASON.search(s.sentence) and (
            (s.hit is best.hit and s.start >= best.end) or follows(s.hit.passage))]
        return min(after, key=lambda s: (s.hit is not best.hit, s.start), default=None)

    def _recounted(self, best: Scored, scored: list[Scored]) -> Scored | None:
        """For a "who" question: when the best sentence recounts what someone else of the
        transcripts did or said (a writer's "X argued that ...", a speaker's "I clearly
        remember that Professor X ... He called upon the world ..."), that person's own
        sentence, if it comes close."""
        p = best.hit.passage
        told = p.text[: best.end]
        for s in scored:
            other = s.hit.passage.speaker
            if s.score < RECOUNTED_BAR * best.score:
                break
            if other not in (p.speaker, NARRATOR) and s.hit.passage.role != "interviewer" and s.overlap > 0 \
                    and self.names.mentions(told, other):
                return s
        return None

    def check_answerable(self, question: str, scored: list[Scored], describes: str = "") -> tuple[list[Scored], str | None, set[int] | None]:
        """The sentences that can answer, or why none can, and (for a figure) the ids of the
        sentences that hold it: a further quote must hold it too. Generic checks of what kind of
        answer the question wants against what the evidence holds:
        - "What did X say ...": X must be someone who speaks in these transcripts, and the
          answer must be X's own words;
        - a figure ("how many", "how much", "what date"): a sentence with a number, in the
          unit asked for ("in dollars"), about the thing counted ("how many volunteers");
        - "which/what X" where the corpus never uses the word X at all;
        - "which Xs did ..." where the best sentence speaks only of "several Xs", naming none."""
        holding = None
        if describes and not any(s.hit.passage.speaker == describes or self.names.mentions(s.hit.passage.text, describes) for s in scored):
            return [], f"they never mention {describes}", None
        said_by = _SAID_BY.search(question)
        who = (said_by.group("who") or said_by.group("who2")) if said_by else ""
        person = self._speaker_named(who) if said_by else None
        if said_by and person is None and sources_named(said_by.group(0), self.publications):
            said_by = None  # "according to NG": a publication, not a person
        if said_by:
            if person is None:
                # a name several speakers carry ("Dana": Dana Okafor, Dana Lee): the one
                # whose words the search found, best first
                carriers = speakers_carrying(who, self.speakers) if len(who.split()) == 1 else frozenset()
                person = next((x.hit.passage.speaker for x in scored if x.hit.passage.speaker in carriers), None)
                if person is None:
                    return [], (f"{who.strip()} is not quoted on this" if carriers
                                else f"no words of {who.strip()} are in them"), None
            surname = name_key(person).split()[-1]
            # X's own words, or a narrator reporting them ("Okafor argues that ...")
            own = [s for s in scored if s.hit.passage.speaker == person
                   or (s.hit.passage.speaker == "narrator" and surname in name_key(s.hit.passage.text).split())]
            near_top = [s for s in own if s.hit.rank <= 3 or s.hit.beside is not None]  # (or found as a reply)
            if not own or (max(s.overlap for s in own) < 0.25 and not near_top):
                return [], f"{person} is not quoted on this", None
            scored = own + [s for s in scored if s.hit.passage.speaker != person]
        if not self.rules:  # the reader decides what answers: only who is asked about is checked
            return scored, None, None
        about = _ABOUT.search(question)
        if about:
            subject = about.group("topic")
            missing = self._topic_missing(subject, own if said_by else scored)
            if missing is not None:
                return [], (f"they never mention {missing or subject}" if missing or not said_by
                            else f"{person} is not quoted on {subject}"), None
        qt = QuestionTerms(question, self.df, self.n_docs, self.speaker_words, self.source_words)
        unit = _UNIT.search(question)
        if _FIGURE.search(question) or unit or _MEASURE_ASKED.search(question):
            scored, missing, holding = self._figures(question, scored, qt, unit)
            if missing:
                return [], missing, None
        name_of = _NAME_OF.search(question)
        if name_of and (missing := self._unnamed(name_of.group("what"), scored)):
            return [], missing, None
        # a word is used when the corpus has it in any form: "stolen" where it says "steals"
        asked_for = _ASKED_FOR | (_AGE_WORDS if AGE_QUESTION.search(question) else frozenset())
        unknown = [t for t in qt.weights if self.df.get(t, 0) == 0 and self.df.get(qt.lemmas.get(t, t), 0) == 0
                   and t not in asked_for]
        if unknown and sum(qt.weights[t] for t in unknown) / qt.total >= UNKNOWN_SHARE:
            words = [w for w in re.findall(r"[\w'-]+", question) if stem(w.lower()) in unknown]
            return [], f"they never mention {' or '.join(words[:3]) or 'this'}", None
        relation = _RELATION.search(question)
        if relation and not self._related(relation.group("focus"), relation.group("of"), scored):
            asked = f"{relation.group('adjective') or ''}{relation.group('focus')}".lower()
            return [], f"they never mention the {asked} of {relation.group('of')}", None
        focus = _FOCUS.search(question)
        if focus and focus.group(1).lower() not in _VAGUE and not self._in_vocabulary(focus.group(1)):
            return [], f"they never mention {focus.group(1)}", None
        which = _WHICH_PLURAL.search(question)
        if which and which.group("noun").lower() not in _VAGUE and scored and _names_none(scored[0].sentence, which.group("noun")):
            return [], f"they speak of {which.group('noun').lower()} without naming any", None
        if _ASKS_WHERE.search(question) and scored and not _sets_scene(scored[0]):  # (a scene heading answers as it is)
            # "Where did she go?": of the sentences that come close, those that name a place lead
            in_question = {w.casefold() for w in re.findall(r"[\w’'-]+", question)}
            naming_a_place = [s for s in scored if s.score >= PLACE_BAR * scored[0].score
                              and any(m.casefold() not in in_question for m in _PLACE.findall(s.sentence))]
            scored = naming_a_place + [s for s in scored if s not in naming_a_place]
        return scored, None, holding

    def _figures(self, question: str, scored: list[Scored], qt: QuestionTerms, unit: re.Match | None
                 ) -> tuple[list[Scored], str | None, set[int] | None]:
        """A figure question ("how many", "how much", "what date", "how long", "how old", "the
        population of"): the sentences that hold the figure asked for, first, with their ids
        (every quote must hold it), or why none does."""
        wants_date = bool(_DATE_QUESTION.search(question))
        wants_age = bool(AGE_QUESTION.search(question))
        wants_span = bool(_HOW_LONG.search(question))  # a span of time: "half a century", "for decades"
        asked_about = people_in(question, self.names, self.speakers)
        counted = counted_words(question)

        # the topic without the unit: "a grant worth millions of dollars" is not the price of a boat
        # (and without "how long": "How long have you kept it?" is not about a storm's length)
        measured = _HOW_LONG.sub(" ", question.replace(unit.group(0), " ") if unit else question)
        topic = QuestionTerms(measured, self.df, self.n_docs, self.speaker_words, self.source_words) if unit or wants_span else None

        # the sentence before, in the same passage: in "Mara Olsen kept the light for forty
        # years. The old keeper retired in March 1998." the date is Olsen's
        before = {(id(s.hit), s.end): s for s in scored}

        def previous(s: Scored) -> Scored | None:
            end = len(s.hit.passage.text[: s.start].rstrip())
            return before.get((id(s.hit), end))

        def covers(s: Scored) -> float:
            return topic.coverage(s.sentence) if topic else s.overlap

        def replied_to(s: Scored) -> float:
            """How much of the question the turn before holds, where the sentence opens a
            reply to it ("Are you seeing Pete?" - "Yeah, tonight.")"""
            turn = self.preceding(s.hit.passage)
            if turn is None or turn.speaker == s.hit.passage.speaker:
                return 0.0
            return (topic or qt).coverage(turn.text)

        # the names the question gives the thing ("lose Helmand"), not its people or sources:
        # a figure about it comes from a passage that names the rarest of them, or goes on
        # from (or replies to) one that does
        # (a run of capitalised words naming a person or a publication, "the International
        # Correspondent", is left out whole)
        placed = set()
        for run in re.findall(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*", question.strip()):
            words = set(terms(run))
            if not words & (self.speaker_words | self.source_words):
                placed |= {t for t in words if self.df.get(t)}

        rarest = min(placed, key=lambda t: (self.df.get(t, 0), t)) if placed else ""  # "Panjshir", not "the Taliban"

        def names_place(s: Scored) -> bool:
            if not rarest:
                return True
            context, passage = [s.hit.passage.lead_in or "", s.hit.passage.text], s.hit.passage
            while sum(map(len, context)) < PLACE_CONTEXT_CHARS and (passage := self.preceding(passage)) is not None:
                context.append(passage.text)  # the quote a fragment goes on from; the turn it replies to
                if passage.speaker != s.hit.passage.speaker:
                    break
            said = set(terms(" ".join(context)))  # ("Afghans" in "Afghanistan", "India" in "Indian")
            return rarest in said or (len(rarest) >= 5 and any(w.startswith(rarest) for w in said))

        # "When was the Herald interview published?": a date in the Herald, or one that names it
        named_sources = sources_named(question, self.publications)
        named_words = {w for source in named_sources for w in self.publications[source]}

        def holds_figure(s: Scored) -> bool:
            text = s.sentence
            if not names_place(s):
                return False
            if named_sources and s.hit.passage.source not in named_sources and not named_words & set(re.findall(r"\w+", text.lower())):
                return False
            # (a top-ranked passage may answer "when was X elected" without naming X again,
            # if it or the turn it replies to speaks of anything asked, and it ranks so on its
            # own words, not as a reply; a unit asked for must come with the thing it measures)
            prior = previous(s)
            on_topic = (covers(s) >= 0.2 or (not unit and s.hit.rank <= 2 and s.hit.beside is None
                                             and (topic or qt).coverage(s.hit.passage.text) + replied_to(s) > 0)
                        or (prior is not None and covers(prior) >= FIGURE_CONTEXT_COVERAGE)
                        or (prior is None and replied_to(s) >= FIGURE_CONTEXT_COVERAGE))
            if wants_date:
                told = bool(_TOLD_TIME.search(text)) and not _DATE_NAMED.search(question)
                return (bool(_DATE.search(text)) or told) and on_topic
            if wants_age:  # "X, 52, ...", "the 52-year-old": an age, of the person asked about
                if _OWN_AGE.search(text) and (not asked_about or s.hit.passage.speaker in asked_about):
                    return True  # "I'm 25", in the words of the person asked about
                if not AGE.search(text):
                    return False
                if not asked_about:
                    return on_topic
                # of the person asked about: named in it, or just before it where it names no one
                # else ("36-year-old Khalid Amiri" is no answer to "how old is Massoud")
                if any(self.names.mentions(text, p) for p in asked_about):
                    return True
                return (prior is not None and any(self.names.mentions(prior.sentence, p) for p in asked_about)
                        and not set(people_in(text, self.names, self.speakers)) - set(asked_about))
            if wants_span:  # (a number of people killed is no span of time)
                return bool(_SPAN.search(text) or _DATE.search(text)) and on_topic
            if not (_NUMBER.search(text) or _NUMBER_WORD.search(text)):
                return False
            if unit and not re.search(unit.group("unit")[:5], text, re.IGNORECASE):
                return False
            if counted and not counts(text, counted):
                return False  # "how many volunteers": a number of something else is no answer
            return on_topic

        figured = [s for s in scored if holds_figure(s)]
        if wants_date and not _DATE_NAMED.search(question) and scored:  # then a time told just before the best sentence
            lead_up = self._lead_up(scored[0].hit.passage)
            figured += [s for s in scored if s.hit.passage.id in lead_up and s not in figured
                        and _TOLD_TIME.search(s.sentence) and s.hit.passage.role != "interviewer"]  # (a host's "in five years" is no date)
        if not figured and wants_date:
            return [], "no passage gives a date" if _DATE_NAMED.search(question) else "no passage says when", None
        if not figured and wants_span:
            return [], "no passage says how long", None
        if not figured and wants_age:
            return [], f"no passage gives {_possessive(asked_about[0]) if asked_about else 'the'} age", None
        if not figured:
            measure = _MEASURE.search(question)
            amount = "the amount of" if re.search(r"\bhow much\b", question, re.IGNORECASE) else "the number of"
            what = (f"a figure {unit.group(0)}" if unit else measure.group(0) if measure
                    else f"{amount} {' '.join(counted)}" if counted else "the figure asked for")
            return [], f"no passage gives {what}", None
        if wants_span:  # "twelve years" says how long; "between 2014 and 2019" only when
            figured = sorted(figured, key=lambda s: (_SPAN.search(s.sentence) is None, -round(covers(s), 1)))
        scored = figured + [s for s in scored if s not in figured]
        holding = {id(s) for s in figured}
        return scored, None, holding

    def _topic_missing(self, topic: str, scored: list[Scored]) -> str | None:
        """A short topic a question is "about" must be spoken of. Returned: a word of it the
        corpus never uses ("climate" in "climate change"), or "" when it is a name ("India")
        that no passage found names (only the person's own, for "what did X say about ...").
        A longer topic ("how widespread the resistance was") or one that is partly a name
        ("the Gulf states": the transcripts may say "Qatar") is left to the other checks."""
        words = re.findall(r"[\w’'-]+", topic)
        if not words or len(words) > 3 or words[0].lower() in _WH_WORDS:
            return None
        unknown = [w for w in words if w.islower() and w not in STOPWORDS and not self._in_vocabulary(w)]
        if unknown:
            return " or ".join(unknown)
        if not all(w[:1].isupper() for w in words) or _name_stems(topic) & (self.speaker_words | self.source_words):
            return None
        person = self.names.known(topic)  # a person the metadata knows, by any of their names
        named = re.compile(rf"\b{re.escape(topic)}", re.IGNORECASE)  # "India" in "Indian" too
        return None if any(named.search(text) or (person and self.names.mentions(text, person))
                           for text in _passage_texts(scored)) else ""

    def _related(self, focus: str, entity: str, scored: list[Scored]) -> bool:
        """Does a passage found hold both the thing asked for and whose it is, a few words
        apart ("the capital of France", "France's capital")? A speaker's own words are about
        them without naming them."""
        if _name_stems(entity) & self.speaker_words:
            return True
        wanted = {stem(focus.lower()), lemma_stem(focus)}
        prefix = stem(focus.lower())[:5]
        entity_words = [w.casefold() for w in re.findall(r"[\w’'-]+", entity)]
        for text in _passage_texts(scored):
            words = [w.casefold() for w in re.findall(r"[\w’'-]+", text)]
            at = [i for i in range(len(words)) if words[i : i + len(entity_words)] == entity_words
                  or words[i].startswith(entity_words[0]) and len(entity_words) == 1]  # ("France's")
            near = {stem(w) for i in at for w in words[max(0, i - RELATION_REACH) : i + len(entity_words) + RELATION_REACH]}
            if any(t in wanted or t.startswith(prefix) for t in near):
                return True
        return False

    def _unnamed(self, what: str, scored: list[Scored]) -> str | None:
        """"What is the name of X's wife?": why no sentence found gives it, if none does. It
        must speak of the wife (a word the corpus never uses cannot be) and name someone near
        the word: a capitalised word, not the sentence's first, that the question does not hold
        and that is no place ("a breeder in France" does not name the breeder)."""
        words = [re.sub(r"[’']s$", "", w) for w in re.findall(r"[\w’'-]+", what)]
        unknown = [w for w in words if w.islower() and w not in STOPWORDS and not self._in_vocabulary(w)]
        if unknown:
            return f"they never mention {what}"
        head = {stem(words[-1].lower()), lemma_stem(words[-1])} if words else set()
        asked = {w.casefold() for w in words}
        for s in scored:
            tokens = re.findall(r"[\w’'-]+", s.sentence)
            at = [i for i, t in enumerate(tokens) if head & {stem(t.lower()), lemma_stem(t)}]
            if any(0 < j and abs(i - j) <= NAME_REACH and t[:1].isupper() and t.casefold() not in asked
                   and tokens[j - 1].lower() not in _PLACED for i in at for j, t in enumerate(tokens)):
                return None
        return f"they never name {what}"

    def _in_vocabulary(self, word: str) -> bool:
        """Does the corpus use this word, its dictionary form, or a word sharing its first
        five letters?"""
        if self.df.get(lemma_stem(word), 0):
            return True  # "mice" where the corpus says "mouse"
        prefix = stem(word.lower())[:5]
        if prefix not in self._prefixes:
            self._prefixes[prefix] = any(t.startswith(prefix) for t in self.df)
        return self._prefixes[prefix]

    def _only_said_by(self, question: str) -> str | None:
        """The speaker of "What did Okafor say?", a question that names nothing else."""
        said_by = _SAID_BY.search(question)
        if said_by is None or [t for t in terms(question) if t not in _FRAME and t not in self.speaker_words]:
            return None
        return self._speaker_named(said_by.group("who") or said_by.group("who2"))

    def _main_points(self, person: str, scored: list[Scored]) -> list[Scored]:
        """A speaker's main points among the passages found: their sentences of substance
        (not "God willing,") that are nearest the rest of theirs, one a passage."""
        theirs = [s for s in scored if s.hit.passage.speaker == person
                  and len(s.sentence.split()) >= SUBSTANCE_WORDS and s.vector is not None]
        if not theirs:
            return []
        vectors = np.stack([s.vector for s in theirs])
        central = (vectors @ vectors.T).mean(axis=1)
        chosen: list[Scored] = []
        for i in np.argsort(-central, kind="stable"):
            if len(chosen) < PLAIN_QUOTES and all(theirs[i].hit.passage.id != c.hit.passage.id for c in chosen):
                chosen.append(self._extend(theirs[i], scored))
        return sorted(chosen, key=lambda s: (s.hit.passage.source, s.start))

    def _speaker_named(self, who: str) -> str | None:
        words = who.split()
        for i in range(len(words)):  # "Councillor Dana Okafor" / "Tom Reyes himself"
            for j in range(len(words), i, -1):
                tail = " ".join(words[i:j])
                person = self.names.known(tail) if self.names else None
                if person in self.speakers:
                    return person
                person = speaker_by_name(tail, self.speakers)
                if person is not None:
                    return person
        return None

    def _extend(self, s: Scored, scored: list[Scored]) -> Scored:
        """One sentence often leans on its neighbour ("What did they do? They ..."; "If ...,
        I will step down. I will go back to keeping bees."): quote the better-scoring adjacent
        sentence of the same passage too, while the quote stays short. A very short
        sentence ("No.") always takes the next one."""
        text = s.hit.passage.text
        neighbours = [n for n in scored if n.hit is s.hit and (
            not text[s.end : n.start].strip() and n.start >= s.end or not text[n.end : s.start].strip() and n.end <= s.start)]
        # not a planted instruction, and not a caption run on after the sentence ("... Photos courtesy of X")
        neighbours = [n for n in neighbours if not INJECTION.search(text[n.start : n.end])
                      and (n.end < len(text.rstrip()) or ends_sentence(text[n.start : n.end]))]
        if s.end - s.start < 60 or text[s.start : s.end].rstrip().endswith(":"):  # "He said:" leads into the words
            following = [n for n in neighbours if n.start >= s.end]
            if following:
                return replace(s, end=following[0].end)
        best = max(neighbours, key=lambda n: n.score, default=None)
        if best is None or best.score < EXTEND_RATIO * s.score:
            return s
        start, end = min(s.start, best.start), max(s.end, best.end)
        if end - start > MAX_QUOTE_CHARS:
            return s
        return replace(s, start=start, end=end)

    def _on_to_the_question(self, s: Scored, scored: list[Scored]) -> Scored:
        """A quote that only sets up a question ("China has signed deals with them.") runs on
        to the question it leads to ("How enforceable are they?"), while the quote stays short."""
        if "?" in s.sentence:
            return s
        after = sorted((n for n in scored if n.hit is s.hit and n.start >= s.end), key=lambda n: n.start)
        asks = next((n for n in after if "?" in n.sentence), None)
        if asks is None or asks.end - s.start > MAX_QUOTE_CHARS:
            return s
        return replace(s, end=asks.end)

    def compose(self, question: str, chosen: list[Scored], preface: str = "", describes: str = "") -> tuple[str, list[Citation]]:
        citations: list[Citation] = []
        parts: list[str] = []
        who_first = bool(_WHO.search(question)) and not describes  # "who is X" leads with what is said of X
        figures = {s.hit.passage.source: set(re.findall(r"\d[\d,.]*", s.sentence)) for s in chosen}
        # said as the lead of the first cited quote, so no sentence of the answer goes uncited
        disagree = len({frozenset(v) for v in figures.values() if v}) > 1 and bool(_FIGURE.search(question))
        for n, s in enumerate(chosen, start=1):
            p = s.hit.passage
            meta = self.metadata.source(p.source)
            citations.append(Citation.of(n, p, s.start, s.end, publication=meta.publication, date=meta.date, url=meta.url))
            where = meta.publication or p.title
            quote = p.text[s.start : s.end]
            again = n > 1 and (p.speaker, p.source) == (chosen[n - 2].hit.passage.speaker, chosen[n - 2].hit.passage.source)
            introduced = _introduced(s)
            asks = p.role == "interviewer" and "?" in quote  # (a host's "My guest today is ..." is said, not asked)
            replies = (n > 1 and p.speaker != "narrator" and p.role != "interviewer"
                       and s.hit.beside == chosen[n - 2].hit.passage.id and p.speaker != chosen[n - 2].hit.passage.speaker)
            if replies:  # the turn before it is what it answers: "Ann Lee, in ...: “...” [1] Tom Reyes replied: “...” [2]"
                lead = f"{p.speaker} replied:"
            elif again:  # the same voice in the same source: name it once
                lead = "It also reports:" if p.speaker == "narrator" or introduced else f"{short_name(p.speaker)} also {'asked' if asks else 'said'}:"
            elif p.speaker == "narrator":
                lead = f"{where} reports:"
            elif asks:
                lead = f"{p.speaker} asked, in {where}:"
            elif who_first and n == 1:
                lead = f"{p.speaker} — in {where}:"
            else:
                lead = f"{p.speaker}, in {where}:"
            if disagree and n == 1:
                lead = f"The sources give different figures; {lead}"
            if preface and n == 1:
                lead = f"{preface} {lead}"
            if introduced:
                lead = f"{lead} {p.lead_in}"  # the quote finishes the writer's sentence: "He said the demands were “too high”"
            parts.append(f"{lead[:1].upper()}{lead[1:]} “{quote}” [{n}]")  # "a blog summary ... reports:" opens a sentence
        return " ".join(parts), citations


# how a speaker's part in a source is told
_PARTS = {"interviewee": "interviewed in", "interviewer": "asks the questions in", "quoted": "quoted in", "speaker": "speaks in"}
_PLAYS = {role: f"is {part}" if role in ("interviewee", "quoted") else part for role, part in _PARTS.items()}  # as a sentence
# someone addressed, not spoken of: "Thank you, Dana.", "Dana, welcome."
_VOCATIVE = re.compile(r",\s*[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)?\s*[.!?]*\s*$|^\s*[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)?\s*,"
                       rf"(?=\s*(?i:{'|'.join(sorted((GREETINGS - {'well'}) | {'good', 'great', 'nice'}))})\b)")  # (not "Khalid Amiri, 35, is ...")


def _staged(p: Passage, start: int, end: int) -> bool:
    """Is the sentence a stage direction or a scene heading: in brackets, or inside them?"""
    before = p.text[:start]
    depth = before.count("(") + before.count("[") - before.count(")") - before.count("]")
    return depth > 0 or bool(_STAGE.search(p.text[start:end]) or _SETTING.search(p.text[start:end]))


def _sets_scene(s: Scored) -> bool:
    """Is it a scene heading: "[Scene: Central Perk ...]", "(Setting: ...)", "INT. KITCHEN"?"""
    return s.hit.passage.speaker == NARRATOR and bool(_SETTING.search(s.sentence))


def _names_none(sentence: str, noun: str) -> bool:
    """Does the sentence speak of `noun` ("provinces") only as some of them, naming none?"""
    vague = re.search(rf"\b{_VAGUE_QUANTITY}\s+(?:[\w-]+\s+)?{re.escape(noun)}\b(?P<rest>.*)", sentence, re.IGNORECASE)
    return bool(vague) and not re.search(r"\b(?:such\s+as|including|like|namely|especially|notably|among\s+them)\b|:|\(",
                                         vague.group("rest"), re.IGNORECASE)


def short_name(speaker: str) -> str:
    """How a speaker is named the second time: "Okafor" for Dana Okafor; a label whose last
    word is a letter or a number stays whole ("Grad A", "Speaker 2")."""
    last = speaker.split()[-1]
    return speaker if len(last.strip(".")) <= 1 or last.isdigit() else last


def counted_words(question: str) -> list[str]:
    """What a figure question counts: "how many fishing boats does ..." -> ["fishing",
    "boats"]; "how many Red Cross volunteers" -> ["volunteers"]; "what is the number of volunteers" -> ["volunteers"]; "what's the population of
    X" -> ["population"]; "how much did it cost" -> []."""
    m = _COUNTED.search(question)
    if m is None and (measure := _MEASURE.search(question)):
        return [measure.group(1).lower()]
    words = []
    for word in re.findall(r"[\w'-]+", m.group(1)) if m else []:
        if word.lower() in STOPWORDS or word.lower() in _AUXILIARIES or len(words) == 3:
            break
        if words and word.lower().endswith("ed"):  # "how many delegates attended": the verb after what is counted
            break
        words.append(word)
    # "how many Red Cross volunteers": a name qualifies what is counted; it is not the thing
    common = [w.lower() for w in words if not w[:1].isupper()]
    return common or [w.lower() for w in words]


# what "how much money" is counted in: a figure with its currency
_MONEY = frozenset("money cash funds funding salary pay wage wages rent fee fees budget loan debt savings".split())
_PRICED = re.compile(rf"[$£€¥]\s?\d|(?:\d[\d,.]*|\b(?:{_NUMBER_WORDS}|one|hundred|thousand))(?:\s+(?:hundred|thousand|million|billion))*\s*"
                     r"(?:k\b|grand\b|dollars?\b|bucks\b|pounds\b|quid\b|euros?\b|cents\b|pence\b|yen\b|yuan\b|rupees\b|roubles\b|rubles\b)", re.IGNORECASE)


def counts(text: str, counted: list[str], window: int = 3) -> bool:
    """Does a figure in `text` count what is `counted`: its last word (the thing; the words
    before qualify it) within `window` words before a number ("volunteers numbered 5,000"),
    or after it, one more word away, before any verb or comma ("21 fishing boats", "forty
    percent of the kelp", not "twelve years studying kelp"); not just anywhere in the sentence
    ("20 years ago" does not count people)?"""
    if not counted:
        return True
    if any(c in _MONEY for c in counted) and _PRICED.search(text):
        return True  # "how much money": "a check for 20,000 dollars", "$5"
    words = re.findall(r"[\w'-]+|[,;:()]", text.lower())
    figures = [i for i, w in enumerate(words) if _NUMBER.search(w) or _NUMBER_WORD.fullmatch(w)]
    head = counted[-1]  # "how much humanitarian aid": aid, not "humanitarian organisations"

    def after(i: int) -> list[str]:  # "forty percent of the kelp"; not "twelve years studying kelp"
        out = []
        for w in words[i + 1 : i + 2 + window]:
            if not w[0].isalnum() or (len(w) > 4 and w.endswith(("ing", "ed")) and not any(same_word(c, w) for c in counted)):
                break  # (a word of what is counted is none: "twelve fishing boats")
            out.append(w)
        return out

    return any(same_word(head, w) for i in figures for w in words[max(0, i - window) : i] + after(i))


def same_word(a: str, b: str) -> bool:
    """The same word, give or take an inflection: "boat"/"boats", "country"/"countries",
    "child"/"children", "Texans"/"Texas"; not a derivation ("delegates"/"delegations",
    "fighters"/"fighting"). (simplemma's lemmas agree on the inflections but not on a people
    and their country, which a dev case needs: "how many Texans" / "people in Texas".)"""
    common = len(os.path.commonprefix([a, b]))
    return common >= max(3, min(len(a), len(b)) - 1)


def _opening_of(hit: Hit, scored: list[Scored]) -> Scored:
    """A passage's first sentences, as many as fit in MAX_QUOTE_CHARS (at least one)."""
    own = sorted((s for s in scored if s.hit is hit), key=lambda s: s.start)
    end = next((s.end for s in reversed(own) if s.end - own[0].start <= MAX_QUOTE_CHARS), own[0].end)
    return replace(own[0], end=end)


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _cos(a: Scored, b: Scored) -> float:
    return float(a.vector @ b.vector) if a.vector is not None and b.vector is not None else 0.0


def _name_stems(name: str) -> set[str]:
    return {stem(w) for w in name_key(name).split()}


def _passage_texts(scored: list[Scored]) -> list[str]:
    """The passages the sentences come from, once each, with a quote's lead-in."""
    return list(dict.fromkeys(_in_context(s.hit.passage, 0, len(s.hit.passage.text)) for s in scored))


def _asks(sentence: str) -> bool:
    """Is the sentence a question ("Even France?", "Why?”")?"""
    return sentence.rstrip(" ”\"'’").endswith("?")


def _in_context(p: Passage, start: int, end: int) -> str:
    """A sentence as it is compared with the question: a quote's first words after the
    writer's lead-in to them ("He said the demands were" + "too high")."""
    if p.lead_in and start == 0:
        return f"{p.lead_in} {p.text[start:end]}"
    return p.text[start:end]


def _introduced(s: Scored) -> bool:
    """Is the quote given after its lead-in: it starts the passage and finishes the writer's
    sentence (a heading ending in ":" is no part of the quote's sentence)."""
    lead_in = s.hit.passage.lead_in
    return bool(lead_in) and s.start == 0 and not lead_in.rstrip().endswith(":")


def _shows_lead_in(a: Scored, b: Scored) -> bool:
    """Does quote `a`, given with its lead-in, already show the words `b` quotes?"""
    return _introduced(a) and a.hit.passage.lead_in in b.sentence


def _same_words(a: Scored, b: Scored) -> bool:
    ta, tb = set(terms(a.sentence)), set(terms(b.sentence))
    return bool(ta and tb) and len(ta & tb) / min(len(ta), len(tb)) > SAME_WORDS


def passages_df(passages: list[Passage]) -> dict[str, int]:
    """Document frequency of every content stem: how common a word is in this corpus."""
    df: dict[str, int] = {}
    for p in passages:
        for t in set(terms(p.text)):
            df[t] = df.get(t, 0) + 1
    return df

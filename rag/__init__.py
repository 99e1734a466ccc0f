"""Ask questions of interview and podcast transcripts; every answer cites who said it and where."""

from .ingest import load_corpus
from .records import Corpus, Passage

__all__ = ["Corpus", "Passage", "load_corpus"]
__version__ = "0.1.0"

"""Ask questions of interview and podcast transcripts; every answer cites who said it and where."""

from .ingest import load_corpus
from .pipeline import Pipeline, ask, get_pipeline
from .records import Answer, Citation, Corpus, Hit, Passage

__all__ = ["Answer", "Citation", "Corpus", "Hit", "Passage", "Pipeline", "ask", "get_pipeline", "load_corpus"]
__version__ = "0.1.0"

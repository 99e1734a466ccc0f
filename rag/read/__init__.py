"""Read: which retrieved sentences answer the question (a cross-encoder trained on public QA)."""

from .reader import Candidate, Reader, load_reader

__all__ = ["Candidate", "Reader", "load_reader"]

"""Sweep the abstention threshold on the seed cases (rag/config.py's `abstain_threshold`).

    python -m evals.calibrate [--cases FILE] [--corpus DIR]

The same as `python -m evals.answers --calibrate`: for each threshold, the share of
unanswerable cases the system would abstain on, and of answerable ones it wrongly would.
"""

from __future__ import annotations

import sys

from .answers import main

if __name__ == "__main__":
    sys.exit(main(["--calibrate", *sys.argv[1:]]))

"""Hugging Face Space entry point: the same chat page as `rag serve`.

On a Space (SPACE_ID is set there) it listens on 0.0.0.0 at $PORT (7860 by default);
run locally (`python app.py`) it stays on 127.0.0.1. Models and settings come from RAG_*
variables (README: "Deploy as a Hugging Face Space").
"""

from ui.serve import space_main

if __name__ == "__main__":
    space_main()

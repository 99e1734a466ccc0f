"""`rag serve`: start the chat page on a ready index.

    rag serve                       # the default corpus, on http://127.0.0.1:7860
    rag serve --corpus ~/podcasts   # serve that folder; uploads are saved into it
    rag serve --host 0.0.0.0 --port 8000 --share

The default corpus is the project's seeds/, which the page must never write into: on first
start its files (metadata.toml included) are copied into <cache_dir>/library, and that copy
is served and receives uploads. A later start keeps the library as it is, uploads included.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import shutil
import socket
import sys
import uuid
from dataclasses import replace
from pathlib import Path

from rag.config import DEFAULT_CORPUS, Config


def library_dir(config: Config) -> Path:
    return Path(config.cache_dir) / "library"


def serving_config(config: Config) -> Config:
    """The config whose corpus the page serves: the library copy for the default corpus,
    the folder itself otherwise."""
    corpus = Path(config.corpus)
    if corpus.resolve() != DEFAULT_CORPUS.resolve():
        if not corpus.is_dir():
            from rag.errors import UserError

            raise UserError(f"--corpus {corpus} is not a folder; give a folder of transcripts")
        return config
    library = library_dir(config)
    if not library.is_dir():
        _copy_seeds(corpus, library)
    return replace(config, corpus=library)


def _copy_seeds(seeds: Path, library: Path) -> None:
    """Copy the seeds into a fresh folder, then rename it into place: whole or not at all."""
    library.parent.mkdir(parents=True, exist_ok=True)
    tmp = library.with_name(f".library-{uuid.uuid4().hex[:8]}.part")
    try:
        tmp.mkdir()
        for path in sorted(seeds.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                shutil.copy2(path, tmp / path.name)
        os.replace(tmp, library)
        print(f"copied the default corpus into {library} (uploads go there)", file=sys.stderr)
    finally:
        if tmp.exists():  # another process won the race, or the copy failed
            shutil.rmtree(tmp, ignore_errors=True)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def start(config: Config, host: str = "127.0.0.1", port: int | None = 7860, share: bool = False, **launch_kwargs):
    """Open (or build) the index, build the page and launch it. Returns what launch returns."""
    from rag.index import log_to_stderr
    from rag.pipeline import get_pipeline

    from .app import build_app, launch

    if port:  # before the index loads (a minute): a port in use is said at once
        check_port(host, port)
    config = serving_config(config)
    print(f"serving {config.corpus}", file=sys.stderr)
    pipeline = get_pipeline(config=config, log=log_to_stderr)  # one per process, shared by every session
    pipeline.warm()  # the speller and chance, built while the page starts, not on the first question
    if not is_loopback(host):
        print(f"listening on {host}: anyone who can reach this machine can ask questions and add transcripts",
              file=sys.stderr)
    try:
        return launch(build_app(pipeline), host=host, port=port, share=share, max_file_mb=config.max_file_mb,
                      **launch_kwargs)
    except OSError as e:  # taken meanwhile, or Gradio's "Cannot find empty port"
        from rag.errors import UserError

        raise UserError(f"cannot listen on {host}:{port} ({e.strerror or e}); pick another port with --port") from None


def check_port(host: str, port: int) -> None:
    """UserError, in one line, unless host:port can be listened on now."""
    from rag.errors import UserError

    if not 1 <= int(port) <= 65535:
        raise UserError(f"--port {port} is not a port number (1-65535)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as e:
        raise UserError(f"--host {host!r} is not an address of this machine ({e})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: TIME_WAIT is no conflict
        try:
            s.bind(address)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise UserError(f"port {port} on {host} is already in use (another rag serve?); "
                                "stop it or pick another port with --port") from None
            raise UserError(f"cannot listen on {host}:{port} ({e.strerror or e})") from None


def cmd_serve(args: argparse.Namespace, config: Config) -> int:
    start(config, host=args.host, port=args.port, share=args.share)
    return 0


def space_main() -> None:
    """The Hugging Face Space entry point (app.py): every interface when on a Space (SPACE_ID
    is set there), loopback otherwise; the port from PORT, else 7860."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    host = "0.0.0.0" if os.environ.get("SPACE_ID") else os.environ.get("RAG_HOST", "127.0.0.1")
    from rag.errors import UserError

    try:
        raw = os.environ.get("PORT") or os.environ.get("GRADIO_SERVER_PORT") or "7860"
        try:
            port = int(raw)
        except ValueError:
            raise UserError(f"PORT={raw!r} is not a port number") from None
        start(Config.from_env(), host=host, port=port)
    except UserError as e:  # a bad RAG_* setting or corpus: one line in the Space's log
        sys.exit(f"error: {e}")

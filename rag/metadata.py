"""The corpus metadata file: facts about each source that its text does not state reliably.

A corpus folder may hold `metadata.toml`:

    [people."Sam Whitfield"]
    aliases = ["Sam Whitfeld", "Whitfeld", "Whitfield"]
    roles = ["harbour master"]            # what a question may call them ("the harbour master")

    [[sources]]
    file = "interview.txt"
    title = "..."; publication = "..."; date = "2023-05-14"; url = "..."
    aliases = ["HT"]                      # other names a reader may call the publication
    interviewers = ["Dana Okafor"]; interviewees = ["Maria Lopez"]
    speakers = { SPEAKER_00 = "Dana Reyes" }   # labels that mean someone in this file only
    # or: speakers = ["Dana Reyes", "Maria Lopez"]  the people who speak in it, by full name:
    # a voice tag "Maria" or "Mariya" is Maria Lopez; with one name listed, the captions'
    # unnamed voices and untagged cues are that person's

    examples = ["What did she say about ...?"]     # questions the chat page offers to try

Every field is optional, and so is the file itself.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError
from .records import SourceMeta

METADATA_FILE = "metadata.toml"


@dataclass(frozen=True)
class Metadata:
    sources: dict[str, SourceMeta] = field(default_factory=dict)
    people: dict[str, tuple[str, ...]] = field(default_factory=dict)  # canonical -> aliases
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # canonical -> roles ("harbour master")
    examples: tuple[str, ...] = ()  # questions this corpus answers, offered on the chat page

    def source(self, name: str) -> SourceMeta:
        return self.sources.get(name) or SourceMeta(file=name)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise UserError(f"{where}: expected a string or a list of strings, got {value!r}")


def load_metadata(folder: Path) -> Metadata:
    """Read `folder/metadata.toml` if there is one; a malformed file is a UserError."""
    path = folder / METADATA_FILE
    if not path.is_file():
        return Metadata()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as e:
        raise UserError(f"{path}: cannot read the metadata file: {e}") from None

    people: dict[str, tuple[str, ...]] = {}
    roles: dict[str, tuple[str, ...]] = {}
    for name, entry in (data.get("people") or {}).items():
        aliases = entry.get("aliases", []) if isinstance(entry, dict) else entry
        people[name] = _strings(aliases, f"{path}: people.{name}.aliases")
        if isinstance(entry, dict) and entry.get("roles"):
            roles[name] = _strings(entry["roles"], f"{path}: people.{name}.roles")

    sources: dict[str, SourceMeta] = {}
    for i, entry in enumerate(data.get("sources") or []):
        where = f"{path}: sources[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise UserError(f"{where}: every source needs a `file` name")
        text = {k: str(entry.get(k, "")) for k in ("title", "publication", "date", "url")}
        labels = entry.get("speakers", {})
        speaking: tuple[str, ...] = ()
        if isinstance(labels, list):  # the people who speak, not labels
            speaking, labels = _strings(labels, f"{where}.speakers"), {}
        if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
            raise UserError(f"{where}.speakers: expected a list of names [\"Name\", ...] or a table of "
                            f"label = \"Name\", got {labels!r}")
        sources[entry["file"]] = SourceMeta(
            file=entry["file"],
            interviewers=_strings(entry.get("interviewers", []), f"{where}.interviewers"),
            interviewees=_strings(entry.get("interviewees", []), f"{where}.interviewees"),
            aliases=_strings(entry.get("aliases", []), f"{where}.aliases"),
            speakers=tuple(labels.items()),
            speaking=tuple(n.strip() for n in speaking if n.strip()),
            **text,
        )
    examples = _strings(data.get("examples", []), f"{path}: examples")
    return Metadata(sources=sources, people=people, roles=roles, examples=examples)

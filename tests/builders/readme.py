"""The README's commands, as written, for the tests that run them."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def commands(block: str) -> list[list[str]]:
    """The commands of the README's ``sh`` block whose first line is ``# <block>``."""
    for body in re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S):
        lines = [line for line in body.strip().splitlines()]
        if lines and lines[0].strip() == f"# {block}":
            return [shlex.split(line) for line in lines[1:] if line.strip() and not line.startswith("#")]
    raise LookupError(f"README.md has no sh block starting with '# {block}'")


def with_options(command: list[str], **values: str) -> list[str]:
    """``command`` with the values of its options replaced (``from_="..."`` for ``--from``)."""
    out = list(command)
    for name, value in values.items():
        flag = ("-" if len(name) == 1 else "--") + name.rstrip("_")
        out[out.index(flag) + 1] = value
    return out

"""What the gate raises and adds: a delivery rejected whole, and the columns it puts beside the rows."""

from __future__ import annotations

from pathlib import Path

LINE_COLUMN = "_line"  # 1-based line of the row in the delivered file (the header is line 1)
RULES_COLUMN = "rules_broken"
SOURCE_COLUMN = "source_file"


class DeliveryError(Exception):
    """A delivery that cannot be accepted at all. The message names file, line, column and rule."""

    def __init__(self, path: Path | str, rule: str, message: str, line: int | None = None, column: str | None = None):
        self.path, self.rule, self.line, self.column = str(path), rule, line, column
        where = ", ".join(
            part for part in (str(path), f"line {line}" if line else "", f"column {column}" if column else "") if part
        )
        super().__init__(f"{where}: {message} (rule {rule})")

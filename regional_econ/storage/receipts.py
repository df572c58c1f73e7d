"""Receipts: one JSON record per delivered file, rewritten as its outcome becomes known.

``<lake>/receipts/<center>/<feed>/date=<period>/<file>.json``: path, sha256, bytes, rows
declared, received, staged, quarantined and rejected, version, arrival and outcome.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


class Receipts:
    root: Path

    def receipt_path(self, feed_id: str, period_key: str, file_name: str) -> Path:
        return self.root / "receipts" / feed_id / f"date={period_key}" / f"{file_name}.json"

    def write_receipt(self, feed_id: str, period_key: str, file_name: str, record: dict) -> None:
        path = self.receipt_path(feed_id, period_key, file_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8")
        os.replace(tmp, path)

    def receipts(self, feed_id: str, period_key: str) -> list[dict]:
        directory = self.root / "receipts" / feed_id / f"date={period_key}"
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))]

"""Receipts: one JSON record per delivered file, written when the file is gated and never
emptied: path, sha256, bytes, rows declared, counted, staged, quarantined and rejected,
version, arrival, and the outcome (promoted, blocked with its rules, refused, incomplete).

``<lake>/receipts/<center>/<feed>/date=<period>/<file>.json``. Which delivery is in force is
the period's pointer (``Lake.in_force``), not a field a later delivery rewrites here.
"""

from __future__ import annotations

import json

from regional_econ.storage.paths import Location


class Receipts:
    root: Location

    def receipt_path(self, feed_id: str, period_key: str, file_name: str) -> Location:
        return self.root / "receipts" / feed_id / f"date={period_key}" / f"{file_name}.json"

    def write_receipt(self, feed_id: str, period_key: str, file_name: str, record: dict) -> Location:
        from regional_econ.storage.lake import write_atomic

        path = self.receipt_path(feed_id, period_key, file_name)
        text = json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1)
        write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        return path

    def read_receipt(self, feed_id: str, period_key: str, file_name: str) -> dict | None:
        path = self.receipt_path(feed_id, period_key, file_name)
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def receipts(self, feed_id: str, period_key: str) -> list[dict]:
        directory = self.root / "receipts" / feed_id / f"date={period_key}"
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))]

    def receipt_keys(self, feed_id: str) -> list[str]:
        """Periods with a receipt (any delivery, promoted or not), in order."""
        directory = self.root / "receipts" / feed_id
        return sorted(p.name[len("date=") :] for p in directory.glob("date=*") if any(p.glob("*.json")))

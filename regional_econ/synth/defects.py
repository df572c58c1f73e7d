"""Planted contract defects, with the ground truth the gate is scored against.

With ``defect_rate`` > 0 every class below is planted at least once, and about
``defect_rate x rows`` row defects overall; each is recorded in ``_defects.jsonl`` as
{feed, period, version, file, defect, rule, line, column}. Lines are 1-based with the
header as line 1 (for Parquet: row position + 2, as the gate numbers them).

How defects are planted so that each breaks exactly its rule and nothing else:
- Row defects are EXTRA rows: a copy of a clean row of the same file with a fresh primary
  key and one value broken. The clean rows all stay, so a merchant, card, posting or
  approval something else refers to is never lost to quarantine (no cascades into
  ``merchant_exists`` or ``cancel_has_approval``). Transactions copy approvals no cancel
  refers to. theimc's key is its whole grid cell, so there the row itself is broken.
- Each broken row is checked against the contract's row rules (``holds``) with the same
  SQL the gate uses; a value that would break a second rule is replaced (e.g. an
  out-of-range incentive goes below 0 rather than above the 20% rule).
- ``duplicate_key`` repeats a row later in the file (the gate keeps the first).
- Unparseable values are written into the CSV text ("12,000원", "2026.09.01", a time
  without offset, "예" for a boolean), which typed frames cannot hold.
- Whole-file defects go to files of feeds nothing else depends on (charges, guarantee
  events, support awards, counselling cases) and to files without row defects, since the
  gate rejects such a file whole: a truncated upload (manifest rows and sha256 of the
  full file), a file changed after its manifest (``manifest_sha256``), a file in the
  wrong encoding, and direct identifiers (obviously fake: 900101-1234567, 010-1234-5678,
  the 4111 1111 1111 1111 test card, an example.com address, business number 1234567891)
  typed into the free-text programme name.
- One re-send: kona/transactions of the window's first day is delivered again as ``_v2``
  with its defects fixed.
Known overlap: a gate may also flag ``cancel_has_approval`` for the cancel planted without
``orig_txn_id`` (a cancel naming nothing has no approval either); the ground truth names
the row rule.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from regional_econ.contracts import Column, Contract, rules
from regional_econ.synth.common import Context, hex_tokens
from regional_econ.synth.writer import encode, file_name

# The contract's own row rule that the broken row breaks (found by evaluating the contract's predicates).
CONTRACT_ROW_RULE = "<contract row rule>"
# Row defect classes: name -> the column rule it breaks, or the contract or lookup rule by id.
ROW_CLASSES: dict[str, rules.ColumnRule | str] = {
    "missing_required": rules.REQUIRED,
    "unparseable": rules.TYPE,
    "bad_pattern": rules.PATTERN,
    "out_of_range": rules.RANGE,
    "bad_domain": rules.DOMAIN,
    "unknown_code": rules.REF,
    "duplicate_key": rules.UNIQUE_KIND,
    "cancel_without_orig": CONTRACT_ROW_RULE,  # the kona/transactions row rule a cancel naming nothing breaks
    "orphan_cancel": rules.CANCEL_HAS_APPROVAL.id,
    "over_cancel": rules.CANCEL_HAS_APPROVAL.id,
    "unknown_merchant": rules.MERCHANT_EXISTS.id,
    "orphan_placement": rules.PLACEMENT_HAS_POSTING.id,
}
FEED_CLASSES = {  # classes that only make sense for one feed
    "cancel_without_orig": "kona/transactions",
    "orphan_cancel": "kona/transactions",
    "over_cancel": "kona/transactions",
    "unknown_merchant": "kona/transactions",
    "orphan_placement": "gjf/placements",
}
IDENTIFIERS = {
    "resident_number": "900101-1234567",
    "phone_number": "010-1234-5678",
    "card_number": "4111111111111111",
    "email": "hong.gildong@example.com",
    "business_number": "1234567891",
}
FILE_CLASSES = {  # name -> (rule, feeds it is planted in, by preference)
    "truncated": (rules.MANIFEST_ROWS.id, ("kona/charges", "gcgf/guarantee_events")),
    "checksum_mismatch": (rules.MANIFEST_SHA256.id, ("gcgf/guarantee_events", "kona/charges")),
    "wrong_encoding": (rules.ENCODING_DECLARED.id, ("msc/counseling_cases", "gbsa/sme_support")),
    **{name: (rules.NO_DIRECT_IDENTIFIERS.id, ("gbsa/sme_support",)) for name in IDENTIFIERS},
}
IDENTIFIER_COLUMN = {"gbsa/sme_support": "program_name"}
RESEND = "resend"
DEFECT_CLASSES = (*ROW_CLASSES, *FILE_CLASSES, RESEND)
# Feeds whose key is the whole row's identity (a grid cell): rows are broken in place, not copied.
IN_PLACE = {"theimc/consumer_trends"}
# Columns that point at another row or feed: breaking them would also break a batch rule.
LINKS = {"kona/transactions": {"merchant_id", "orig_txn_id"}, "gjf/placements": {"posting_id"}}
BAD_CODE = {  # a code that is in no reference table
    "areas": "41999",
    "merchant_categories": "C98",
    "ksic": "00000",
    "occupations": "99",
    "age_bands": "100",
    "currencies": "41999",
    "credit_grades": "Z",
    "sales_classes": "초대형",
    "policy_funds": "ZZZ",
}
ID_PATTERN = re.compile(r"^\^([A-Z]+)\[0-9\]\{(\d+)\}\$$")


@dataclass(frozen=True)
class Defect:
    feed: str
    period: str
    version: int
    file: str
    defect: str
    rule: str | None
    line: int | None
    column: str | None


@dataclass
class PlantedFile:
    """What to hand to ``write_delivery``: bytes and manifest overrides (None = clean)."""

    version: int
    data: bytes | None
    manifest: dict | None
    defects: list[Defect]


def rule_id(contract: Contract, name: str, column: str | None) -> str:
    rule = ROW_CLASSES[name]
    if name == "duplicate_key":
        return rules.key_rule(contract)
    if isinstance(rule, rules.ColumnRule):
        return rule.id(column)
    if rule == CONTRACT_ROW_RULE:
        return _row_rule_broken_by(contract, name)
    return rule


def _row_rule_broken_by(contract: Contract, name: str) -> str:
    """The one row rule of the contract that a row of defect class ``name`` breaks."""
    if name != "cancel_without_orig":
        raise ValueError(f"no example row for defect class {name!r}")
    # A row of nulls but for what the class sets; NULL counts as holding, as in the gate.
    example = pl.DataFrame(schema=contract.schema).clear(1).with_columns(txn_type=pl.lit("CANCEL"))
    broken = [r.id for r in contract.rules_at("row") if not example.select(pl.sql_expr(r.holds).fill_null(True)).item()]
    if len(broken) != 1:
        raise ValueError(f"{contract.id}: a {name} row should break exactly one row rule, breaks {broken}")
    return broken[0]


def eligible_columns(contract: Contract, name: str) -> list[Column]:
    """Columns a generic row defect class can break in this feed."""
    links = LINKS.get(contract.id, set())
    cols = [c for c in contract.columns if c.name not in links]
    if contract.id in IN_PLACE and name != "missing_required":
        # Rows broken in place keep their key: two given one bad key value would collide.
        cols = [c for c in cols if c.name not in contract.primary_key]
    csv_file = contract.delivery.format == "csv"
    return {
        "missing_required": [c for c in cols if c.required],
        "unparseable": [c for c in cols if c.type != "string"] if csv_file else [],
        "bad_pattern": [c for c in cols if c.pattern],
        "out_of_range": [c for c in cols if c.range],
        "bad_domain": [c for c in cols if c.domain],
        "unknown_code": [c for c in cols if c.ref],
    }.get(name, [])


def classes_for(contract: Contract) -> list[str]:
    out = [n for n in ROW_CLASSES if n not in FEED_CLASSES and (n == "duplicate_key" or eligible_columns(contract, n))]
    return out + [n for n, feed in FEED_CLASSES.items() if feed == contract.id]


class Planner:
    """Decides up front where the guaranteed defects go, then breaks each file as it is written."""

    def __init__(self, ctx: Context, contracts: dict[str, Contract], files: dict[str, list[str]], rate: float):
        self.ctx, self.contracts, self.rate = ctx, contracts, rate
        self.files = files
        self.resend = ("kona/transactions", files["kona/transactions"][0])
        self.file_level: dict[tuple[str, str], list[str]] = {}
        self.mandatory: dict[tuple[str, str], list[str]] = {}
        if rate > 0:
            self._plan()

    def _plan(self) -> None:
        gen = self.ctx.rng("defects:plan")
        used = {self.resend}

        def pick(feeds: tuple[str, ...]) -> list[tuple[str, str]]:
            candidates = [(f, k) for f in feeds for k in self.files[f]]
            free = [c for c in candidates if c not in used] or candidates
            count = min(len(free), max(1, round(self.rate * len(candidates))))
            chosen = [free[int(i)] for i in np.linspace(0, len(free) - 1, count).round()]
            used.update(chosen)
            return chosen

        for name, (_, feeds) in FILE_CLASSES.items():
            if name not in IDENTIFIERS:
                for where in pick(feeds):
                    self.file_level.setdefault(where, []).append(name)
        # Identifiers share files when there are fewer files than kinds of identifier.
        files = pick(FILE_CLASSES[next(iter(IDENTIFIERS))][1])
        for i, name in enumerate(IDENTIFIERS):
            self.file_level.setdefault(files[i % len(files)], []).append(name)
        for name in ROW_CLASSES:
            if name in FEED_CLASSES:
                feed = FEED_CLASSES[name]
                target = self.resend if feed == self.resend[0] else (feed, self.files[feed][0])
            else:
                targets = [
                    (f, k)
                    for f, keys in self.files.items()
                    for k in keys
                    if (f, k) not in self.file_level and name in classes_for(self.contracts[f])
                ]
                target = targets[int(gen.integers(0, len(targets)))]
            self.mandatory.setdefault(target, []).append(name)

    # -- applying ---------------------------------------------------------------------------

    def deliveries(
        self, contract: Contract, key: str, frame: pl.DataFrame, referenced: set[str] | None = None
    ) -> list[PlantedFile]:
        """The file(s) to write for one feed and period: clean, broken, or broken then re-sent."""
        if self.rate <= 0:
            return [PlantedFile(1, None, None, [])]
        where = (contract.id, key)
        rel = f"{contract.center}/{contract.feed}/{key}/{file_name(contract, key, 1)}"
        gen = self.ctx.rng(f"defects:{contract.id}", date.fromisoformat(key))
        if where in self.file_level:
            return [self._file_defects(gen, contract, key, frame, rel, self.file_level[where])]
        count = int(gen.binomial(frame.height, self.rate))
        options = classes_for(contract)
        names = list(self.mandatory.get(where, [])) + [options[i] for i in gen.integers(0, len(options), count)]
        broken = _RowBreaker(gen, contract, key, frame, referenced or set()).apply(names, rel)
        if where != self.resend:
            return [broken]
        v2 = f"{contract.center}/{contract.feed}/{key}/{file_name(contract, key, 2)}"
        return [broken, PlantedFile(2, None, None, [Defect(contract.id, key, 2, v2, RESEND, None, None, None)])]

    def _file_defects(
        self, gen: np.random.Generator, contract: Contract, key: str, frame: pl.DataFrame, rel: str, names: list[str]
    ) -> PlantedFile:
        clean = encode(contract, frame)
        defects: list[Defect] = []
        data, manifest = clean, {}
        idents = [n for n in names if n in IDENTIFIERS]
        if idents:  # typed into the free-text column, each in its own row
            column = IDENTIFIER_COLUMN[contract.id]
            if frame.height < len(idents):  # too few rows: the clerk also keyed in extra ones
                extra = _RowBreaker(gen, contract, key, frame, set())._fresh_keys(
                    frame.sample(len(idents) - frame.height, with_replacement=True, seed=int(gen.integers(0, 2**31)))
                )
                frame = pl.concat([frame, extra])
                manifest["rows"] = frame.height
            rows = gen.choice(frame.height, len(idents), replace=False)
            values = frame[column].to_list()
            for name, row in zip(idents, rows, strict=True):
                values[int(row)] = IDENTIFIERS[name]
                defects.append(Defect(contract.id, key, 1, rel, name, rules.NO_DIRECT_IDENTIFIERS.id, int(row) + 2, column))
            frame = frame.with_columns(pl.Series(column, values, dtype=pl.String))
            clean = data = encode(contract, frame)
        if "checksum_mismatch" in names:  # changed after the manifest was made: same rows, other bytes
            column = next(c for c in contract.columns if c.type == "int64" and c.range)
            values = frame[column.name].to_numpy().copy()
            row = int(gen.integers(0, frame.height))
            values[row] += 1 if values[row] + 1 <= column.range[1] else -1
            changed = frame.with_columns(pl.Series(column.name, values))
            data = encode(contract, changed)
            manifest["sha256"] = hashlib.sha256(clean).hexdigest()
            defects.append(Defect(contract.id, key, 1, rel, "checksum_mismatch", rules.MANIFEST_SHA256.id, None, None))
        if "truncated" in names:  # the upload stopped: the manifest describes the whole file
            lines = data.split(b"\n")
            keep = 1 + frame.height - max(1, frame.height // 10)
            manifest = {"rows": frame.height, "sha256": hashlib.sha256(data).hexdigest()}
            data = b"\n".join(lines[:keep]) + b"\n"
            # Both controls catch a cut upload: the row count and the checksum of the whole file.
            for rule in (rules.MANIFEST_ROWS.id, rules.MANIFEST_SHA256.id):
                defects.append(Defect(contract.id, key, 1, rel, "truncated", rule, None, None))
        if "wrong_encoding" in names:  # sent in the other encoding than the contract declares
            declared = contract.delivery.encoding
            text = data.decode("cp949" if declared == "cp949" else "utf-8-sig")
            data = text.encode("utf-8" if declared == "cp949" else "cp949")
            defects.append(Defect(contract.id, key, 1, rel, "wrong_encoding", rules.ENCODING_DECLARED.id, None, None))
        return PlantedFile(1, data, manifest or None, defects)


class _RowBreaker:
    """Extra broken rows for one file (see the module docstring), made a class at a time."""

    def __init__(self, gen: np.random.Generator, contract: Contract, key: str, frame: pl.DataFrame, referenced: set[str]):
        self.gen, self.contract, self.key, self.frame = gen, contract, key, frame
        self.pk = list(contract.primary_key)
        self.in_place = contract.id in IN_PLACE
        if contract.id == "kona/transactions":
            safe = (pl.col("txn_type") == "APPROVE") & ~pl.col("txn_id").is_in(list(referenced))
            self.templates = np.flatnonzero(frame.select(safe).to_series().to_numpy())
        else:
            self.templates = np.arange(frame.height)
        self.untouched = np.ones(frame.height, dtype=bool)  # rows not yet copied for an over-cancel / broken in place

    def apply(self, names: list[str], rel: str) -> PlantedFile:
        c, frame = self.contract, self.frame
        if not names or not len(self.templates):
            return PlantedFile(1, None, None, [])
        parts = [p for name in dict.fromkeys(names) if (p := self._batch(name, names.count(name))) is not None]
        if not parts:
            return PlantedFile(1, None, None, [])
        extras = pl.concat([p.rows for p in parts])
        labels = [p.name for p in parts for _ in range(p.rows.height)]
        cols = [col for p in parts for col in p.columns]
        texts = [t for p in parts for t in p.texts]
        after = np.concatenate([p.positions for p in parts])
        replaced = np.concatenate([p.positions[p.replaces] for p in parts])
        keep = np.ones(frame.height, dtype=bool)
        keep[replaced] = False
        # Final order: kept originals in place, each extra just before the original at its position.
        kept = np.flatnonzero(keep)
        order = np.lexsort(
            (
                np.concatenate([np.zeros(len(kept)), np.arange(len(after))]),
                np.concatenate([np.ones(len(kept)), np.zeros(len(after))]),
                np.concatenate([kept, after]),
            )
        )
        line_of = np.empty(len(order), dtype=np.int64)
        line_of[order] = np.arange(2, len(order) + 2)
        defects = [
            Defect(
                c.id,
                self.key,
                1,
                rel,
                name,
                rule_id(c, name, col),
                int(line),
                None if name == "duplicate_key" and len(self.pk) > 1 else col,
            )
            for name, col, line in zip(labels, cols, line_of[len(kept) :], strict=True)
        ]
        table = pl.concat([frame.filter(pl.Series(keep)), extras])
        if c.delivery.format == "parquet":
            return PlantedFile(1, encode(c, table[order]), {"rows": table.height}, defects)
        lines = encode(c, table).decode(_codec(c)).split("\n")
        header, body = lines[0], lines[1:-1]
        for i, text in enumerate(texts):  # unparseable values are written into the text itself
            if text is not None:
                body[len(kept) + i] = _replace_field(body[len(kept) + i], c.column_names.index(cols[i]), text)
        out = "\n".join([header, *[body[i] for i in order]]) + "\n"
        return PlantedFile(1, out.encode(c.delivery.encoding), {"rows": len(order)}, defects)

    # -- one class ------------------------------------------------------------------------------

    def _batch(self, name: str, k: int) -> _Part | None:
        gen, n = self.gen, self.frame.height
        exclusive = self.in_place or name == "over_cancel"  # each original used once
        pool = self.templates[self.untouched[self.templates]] if exclusive else self.templates
        if not len(pool):
            return None
        picks = gen.choice(pool, min(k, len(pool)), replace=False) if exclusive else pool[gen.integers(0, len(pool), k)]
        if exclusive:
            self.untouched[picks] = False
        rows = self.frame[picks]
        k = len(picks)
        if name == "duplicate_key":  # the same row again, later in the file
            positions = picks + 1 + (gen.random(k) * (n - picks)).astype(np.int64)
            return _Part(name, rows, [self.pk[0]] * k, positions, np.zeros(k, dtype=bool), [None] * k)
        if self.in_place:
            positions, replaces = picks.copy(), np.ones(k, dtype=bool)
        else:
            positions, replaces = gen.integers(0, n + 1, k), np.zeros(k, dtype=bool)
            rows = self._fresh_keys(rows)
        if name in FEED_CLASSES:
            rows, column = self._specific(name, rows, picks)
            return _Part(name, rows, [column] * k, positions, replaces, [None] * k)
        return self._generic(name, rows, positions, replaces)

    def _generic(self, name: str, rows: pl.DataFrame, positions: np.ndarray, replaces: np.ndarray) -> _Part | None:
        """Break one eligible column per row, grouped by column; drop rows that would break a row rule."""
        options = eligible_columns(self.contract, name)
        if not options:
            return None
        present = np.stack([rows[c.name].is_not_null().to_numpy() for c in options], axis=1)
        if name != "unparseable":
            present[:] = True
        score = self.gen.random(present.shape) * present
        chosen = np.where(present.any(axis=1), score.argmax(axis=1), -1)
        parts = []
        for j, column in enumerate(options):
            idx = np.flatnonzero(chosen == j)
            if not len(idx):
                continue
            broken, texts = self._break(name, column, rows[idx])
            ok = self._keeps_row_rules(broken)
            if not ok.all() and name == "out_of_range":  # try the other side of the range
                low = column.range[0] - (1 if column.type.startswith("int") else 1.0)
                other = broken.with_columns(pl.lit(low).cast(column.dtype).alias(column.name))
                broken = pl.concat([broken.filter(pl.Series(ok)), other.filter(pl.Series(~ok))])
                idx = np.concatenate([idx[ok], idx[~ok]])
                texts = [None] * len(idx)
                ok = self._keeps_row_rules(broken)
            parts.append(
                _Part(
                    name,
                    broken.filter(pl.Series(ok)),
                    [column.name] * int(ok.sum()),
                    positions[idx[ok]],
                    replaces[idx[ok]],
                    [t for t, o in zip(texts, ok, strict=True) if o],
                )
            )
        parts = [p for p in parts if p.rows.height]
        if not parts:
            return None
        return _Part(
            name,
            pl.concat([p.rows for p in parts]),
            [c for p in parts for c in p.columns],
            np.concatenate([p.positions for p in parts]),
            np.concatenate([p.replaces for p in parts]),
            [t for p in parts for t in p.texts],
        )

    def _break(self, name: str, column: Column, rows: pl.DataFrame) -> tuple[pl.DataFrame, list[str | None]]:
        k = rows.height
        if name == "missing_required":
            return rows.with_columns(pl.lit(None, dtype=column.dtype).alias(column.name)), [None] * k
        if name == "unparseable":
            return rows, [_unparseable(column, v) for v in rows[column.name].to_list()]
        if name == "bad_pattern":  # one character short of the pattern
            return rows.with_columns(
                pl.col(column.name).fill_null("XX").str.slice(0, pl.col(column.name).fill_null("XX").str.len_chars() - 1)
            ), [None] * k
        if name == "bad_domain":
            return rows.with_columns(pl.lit("UNKNOWN", dtype=pl.String).alias(column.name)), [None] * k
        if name == "unknown_code":
            return rows.with_columns(pl.lit(BAD_CODE[column.ref], dtype=pl.String).alias(column.name)), [None] * k
        if name == "out_of_range":
            high = column.range[1] + (1 if column.type.startswith("int") else 1.0)
            return rows.with_columns(pl.lit(high).cast(column.dtype).alias(column.name)), [None] * k
        raise ValueError(name)

    def _keeps_row_rules(self, rows: pl.DataFrame, allowed: str | None = None) -> np.ndarray:
        """Per row: breaks no row rule of the contract but ``allowed`` (NULL counts as holding)."""
        rules = [r for r in self.contract.rules_at("row") if r.id != allowed]
        if not rules or not rows.height:
            return np.ones(rows.height, dtype=bool)
        broken = rows.select(pl.any_horizontal([pl.sql_expr(r.holds).not_().fill_null(False) for r in rules]))
        return ~broken.to_series().to_numpy()

    def _fresh_ids(self, column: Column, k: int) -> pl.Series:
        """``k`` values of a key column no real row has: random tokens, or ids from the never-issued 9... range."""
        if column.pattern == "^[0-9a-f]{64}$":
            return hex_tokens(self.gen, k)
        m = ID_PATTERN.match(column.pattern or "")
        if not m:
            raise ValueError(f"{self.contract.id}: no fresh values for {column.name}")
        prefix, digits = m.group(1), int(m.group(2))
        numbers = self.gen.choice(10 ** min(digits - 1, 15), k, replace=False)
        return prefix + "9" + pl.Series(numbers).cast(pl.String).str.zfill(digits - 1)

    def _fresh_keys(self, rows: pl.DataFrame) -> pl.DataFrame:
        for name in self.pk:
            column = self.contract.column(name)
            if column.pattern == "^[0-9a-f]{64}$" or ID_PATTERN.match(column.pattern or ""):
                rows = rows.with_columns(self._fresh_ids(column, rows.height).alias(name))
        return rows

    def _specific(self, name: str, rows: pl.DataFrame, picks: np.ndarray) -> tuple[pl.DataFrame, str]:
        k = rows.height
        if name == "cancel_without_orig":
            return rows.with_columns(txn_type=pl.lit("CANCEL"), orig_txn_id=pl.lit(None, dtype=pl.String)), "orig_txn_id"
        if name == "orphan_cancel":  # names an approval that was never issued
            never = self._fresh_ids(self.contract.column("txn_id"), k)
            return rows.with_columns(
                txn_type=pl.lit("CANCEL"), orig_txn_id=never, amount_krw=pl.min_horizontal("amount_krw", pl.lit(5_000))
            ), "orig_txn_id"
        if name == "over_cancel":  # cancels 10,000 KRW more than the approval it names
            return rows.with_columns(
                txn_type=pl.lit("CANCEL"),
                orig_txn_id=self.frame["txn_id"].gather(picks),
                amount_krw=pl.col("amount_krw") + 10_000,
            ), "amount_krw"
        if name == "unknown_merchant":
            numbers = self.gen.choice(10**8, k, replace=False)
            return rows.with_columns(merchant_id="M9" + pl.Series(numbers).cast(pl.String).str.zfill(8)), "merchant_id"
        if name == "orphan_placement":
            numbers = self.gen.choice(10**9, k, replace=False)
            return rows.with_columns(posting_id="JP9" + pl.Series(numbers).cast(pl.String).str.zfill(9)), "posting_id"
        raise ValueError(name)


@dataclass
class _Part:
    """Broken rows of one class: typed rows, the column each breaks, where they go."""

    name: str
    rows: pl.DataFrame
    columns: list[str]
    positions: np.ndarray
    replaces: np.ndarray  # True: the row replaces the original at its position (in place)
    texts: list[str | None]  # CSV text for an unparseable value


def _unparseable(column: Column, value) -> str:
    """A value as a person might type it, which the column's type cannot parse."""
    if column.type in ("int32", "int64"):
        return f"{value:,}원" if column.name.endswith("krw") else f"약 {value}"
    if column.type == "float64":
        return f"약 {value}"
    if column.type == "date":
        return f"{value:%Y.%m.%d}"
    if column.type == "timestamp":
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if column.type == "boolean":
        return "예"
    raise ValueError(column.type)


def _replace_field(line: str, index: int, value: str) -> str:
    fields = next(csv.reader([line]))
    fields[index] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


def _codec(contract: Contract) -> str:
    return "utf-8-sig" if contract.delivery.encoding == "utf-8-sig" else contract.delivery.encoding


def write_ground_truth(out: Path, defects: list[Defect]) -> None:
    """``out/_defects.jsonl``: one object per planted defect, in file and line order."""
    ordered = sorted(defects, key=lambda d: (d.feed, d.period, d.version, d.line or 0, d.defect))
    text = "".join(json.dumps(asdict(d), ensure_ascii=False) + "\n" for d in ordered)
    (out / "_defects.jsonl").write_text(text, encoding="utf-8")

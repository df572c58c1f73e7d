"""Plots for the operator: PNG bytes, Korean labels rendered with NanumGothic.

The font comes with the ``koreanize-matplotlib`` package (SIL Open Font License), so Korean
renders on any machine, not only where Debian's fonts-nanum is installed.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

import polars as pl

WEEKDAYS = ["월", "화", "수", "목", "금", "토", "일"]


@cache
def _pyplot():
    """matplotlib, imported on first use: importing it at every process start is slow."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@cache
def _korean_font() -> str:
    from matplotlib import font_manager

    plt = _pyplot()
    font = resources.files("koreanize_matplotlib") / "fonts" / "NanumGothic.ttf"
    font_manager.fontManager.addfont(str(font))
    name = font_manager.FontProperties(fname=str(font)).get_name()
    plt.rcParams.update({"font.family": name, "axes.unicode_minus": False})
    return name


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    # The figures lay themselves out ("tight" engine) when drawn: bbox_inches="tight" here
    # would draw each figure twice.
    fig.savefig(buffer, format="png", dpi=90)
    _pyplot().close(fig)
    return buffer.getvalue()


def bar_by_area(names: list[str], values: list[float], title: str) -> bytes:
    _korean_font()
    fig, ax = _pyplot().subplots(figsize=(8, max(3, 0.25 * len(names))), layout="tight")
    ax.barh(names[::-1], [v / 1e6 for v in values[::-1]], color="#3a7ca5")
    ax.set_xlabel("백만원 (million KRW)")
    ax.set_title(title)
    return _png(fig)


def heatmap(
    matrix: pl.DataFrame,
    row: str,
    column: str,
    value: str,
    title: str,
    row_labels: dict | None = None,
    column_labels: dict | None = None,
) -> bytes:
    """``matrix`` in long form; rows and columns in sorted order, labels optional."""
    _korean_font()
    wide = matrix.pivot(on=column, index=row, values=value, aggregate_function="sum", sort_columns=True).sort(row).fill_null(0)
    rows, cols = wide[row].to_list(), wide.columns[1:]
    fig, ax = _pyplot().subplots(figsize=(max(6, 0.3 * len(cols) + 2), max(3, 0.25 * len(rows) + 1)), layout="tight")
    image = ax.imshow(wide.drop(row).to_numpy(), aspect="auto", cmap="viridis")
    ax.set_yticks(range(len(rows)), [(row_labels or {}).get(r, str(r)) for r in rows], fontsize=7)
    ax.set_xticks(range(len(cols)), [(column_labels or {}).get(c, str(c)) for c in cols], fontsize=7, rotation=90)
    ax.set_title(title)
    fig.colorbar(image, ax=ax)
    return _png(fig)

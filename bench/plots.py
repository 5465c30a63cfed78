"""The PNG plots docs/benchmarks.md shows, from a bench/harness.py report (matplotlib)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

COLOURS = {"drf-scim": "tab:blue", "floor": "tab:gray", "django-scim2": "tab:orange"}
STYLES = {"sqlite": "-", "postgres": "--"}
#: (file name, x-axis label, the operations drawn, one panel each)
FIGURES = (
    ("bench-users.png", "users", ("list", "get", "username")),
    ("bench-groups.png", "group members", ("group_get", "group_add", "group_remove")),
)


def draw(report: dict[str, Any], directory: Path) -> list[Path]:
    """Median latency against size, per operation; one line per target and database."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, xlabel, ops in FIGURES:
        figure, axes = plt.subplots(1, len(ops), figsize=(10, 3.4), dpi=80)
        drawn = False
        for axis, op in zip(axes, ops, strict=True):
            for database in report["databases"]:
                for target, colour in COLOURS.items():
                    points = sorted(
                        (m["size"], m["median_ms"])
                        for m in database["measurements"]
                        if m["op"] == op and m["target"] == target and m["median_ms"]
                    )
                    if not points:
                        continue
                    title = next(m["label"] for m in database["measurements"] if m["op"] == op)
                    axis.set_title(title, fontsize=9)
                    label = f"{target}, {database['db']}"
                    axis.plot(
                        [x for x, _ in points],
                        [y for _, y in points],
                        STYLES.get(database["db"], ":"),
                        color=colour,
                        marker="o",
                        markersize=3,
                        label=label,
                    )
                    drawn = True
            axis.set_xscale("log")
            axis.set_yscale("log")
            sizes = sorted({m["size"] for d in report["databases"] for m in d["measurements"]
                            if m["op"] == op})  # fmt: skip
            axis.set_xticks(sizes, [f"{size:,}" for size in sizes])
            axis.xaxis.set_minor_formatter(NullFormatter())
            axis.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
            axis.yaxis.set_minor_formatter(FuncFormatter(minor_label))
            axis.set_xlabel(xlabel, fontsize=8)
            axis.set_ylabel("median ms", fontsize=8)
            axis.tick_params(labelsize=7)
            axis.grid(visible=True, which="both", alpha=0.3)
        if drawn:
            handles, labels = axes[0].get_legend_handles_labels()
            figure.legend(handles, labels, loc="lower center", ncol=6, fontsize=7, frameon=False)
            figure.tight_layout(rect=(0, 0.08, 1, 1))
            path = directory / name
            figure.savefig(path)
            written.append(path)
        plt.close(figure)
    return written


def minor_label(value: float, _: int) -> str:
    """Label 2 and 5 times a power of ten only: the others crowd the axis."""
    text = f"{value:g}"
    return text if text.lstrip("0.")[:1] in ("2", "5") else ""

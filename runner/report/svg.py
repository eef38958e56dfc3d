"""The two charts of a run report, as inline SVG written by hand (no plotting library,
no script): the gate timeline (attempts as bars on the run's clock, decisions as marks)
and the QC metrics of a QC report (each rule's value against its thresholds). Every
text that comes from a record is escaped."""

from __future__ import annotations

from html import escape

from runner.models.qc import MetricResult, QcReport
from runner.models.report import GateEntry
from runner.timeutil import parse

COLOURS = {"PASS": "#2e7d32", "FAIL": "#c62828", "WARN": "#ef6c00", "ABANDONED": "#757575",
           "SOFT_FAIL": "#ef6c00", "HARD_FAIL": "#c62828", "approve": "#2e7d32", "reject": "#c62828"}
GREY = "#9e9e9e"
LABEL_W, WIDTH, ROW_H = 150, 900, 28


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 12, fill: str = "#212121") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
            f"{escape(text)}</text>")


def timeline(gates: list[GateEntry], started_at: str, finished_at: str | None) -> str:
    """A row per gate; each attempt a bar from its start to its end, each decision a mark."""
    times = [parse(started_at)] + [parse(a.record.finished_at) for g in gates for a in g.attempts] + \
        [parse(d.record.at) for g in gates for d in g.decisions] + ([parse(finished_at)] if finished_at else [])
    t0, t1 = min(times), max(times)
    span = max((t1 - t0).total_seconds(), 1e-3)
    plot_w = WIDTH - LABEL_W - 20
    height = ROW_H * len(gates) + 40

    def x(moment: str) -> float:
        return LABEL_W + (parse(moment) - t0).total_seconds() / span * plot_w

    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-label="gate timeline">')]
    for row, gate in enumerate(gates):
        y = 10 + row * ROW_H
        parts.append(_text(LABEL_W - 8, y + 17, gate.gate, "end"))
        parts.append(f'<line x1="{LABEL_W}" y1="{y + ROW_H / 2:.1f}" x2="{WIDTH - 20}" y2="{y + ROW_H / 2:.1f}" '
                     f'stroke="#eeeeee"/>')
        for entry in gate.attempts:
            a = entry.record
            left, right = x(a.started_at), x(a.finished_at)
            parts.append(f'<rect x="{left:.1f}" y="{y + 5}" width="{max(right - left, 3):.1f}" height="{ROW_H - 10}" '
                         f'rx="2" fill="{COLOURS.get(a.status, GREY)}"><title>{escape(gate.gate)} attempt '
                         f'{a.attempt} {escape(a.status)}: {escape(a.started_at)} to {escape(a.finished_at)}'
                         f'</title></rect>')
        for entry in gate.decisions:
            d = entry.record
            cx, cy = x(d.at), y + ROW_H / 2
            parts.append(f'<path d="M{cx:.1f} {cy - 8:.1f} L{cx + 6:.1f} {cy:.1f} L{cx:.1f} {cy + 8:.1f} '
                         f'L{cx - 6:.1f} {cy:.1f} Z" fill="{COLOURS.get(d.verdict, GREY)}" stroke="#ffffff">'
                         f'<title>decision {d.decision}: {escape(d.verdict)} by {escape(d.by.name)} at '
                         f'{escape(d.at)}</title></path>')
    axis_y = height - 12
    parts.append(_text(LABEL_W, axis_y, started_at, size=10, fill="#616161"))
    parts.append(_text(WIDTH - 20, axis_y, f"+{span:.1f} s", "end", size=10, fill="#616161"))
    parts.append("</svg>")
    return "".join(parts)


def qc_chart(report: QcReport) -> str:
    """A row per rule: the measured value as a bar, the threshold as a line, the hard
    threshold dashed; the bar's colour is the rule's status."""
    rows = report.results
    height = ROW_H * len(rows) + 20
    plot_x, plot_w = LABEL_W + 10, WIDTH - LABEL_W - 180
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-label="QC metrics">')]
    for row, result in enumerate(rows):
        parts += _qc_row(result, 10 + row * ROW_H, plot_x, plot_w)
    parts.append("</svg>")
    return "".join(parts)


def _qc_row(r: MetricResult, y: float, plot_x: float, plot_w: float) -> list[str]:
    values = [0.0, r.threshold, r.hard_threshold] + ([r.value] if r.value is not None else [])
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or 1.0
    low, high = (low - pad if low < 0 else low), high + pad

    def x(v: float) -> float:
        return plot_x + (v - low) / (high - low) * plot_w

    mid = y + ROW_H / 2
    out = [_text(LABEL_W, mid + 4, r.rule_id, "end")]
    measured = "not measured" if r.value is None else f"{r.value:.4g}"
    if r.value is not None:
        left, right = sorted((x(0.0), x(r.value)))
        out.append(f'<rect x="{left:.1f}" y="{y + 6}" width="{max(right - left, 1):.1f}" height="{ROW_H - 12}" '
                   f'fill="{COLOURS.get(r.status, GREY)}"><title>{escape(r.metric)} = {measured} '
                   f'({escape(r.status)})</title></rect>')
    for value, dash, what in ((r.threshold, "", "threshold"), (r.hard_threshold, ' stroke-dasharray="3 2"', "hard")):
        out.append(f'<line x1="{x(value):.1f}" y1="{y + 2}" x2="{x(value):.1f}" y2="{y + ROW_H - 2}" '
                   f'stroke="#212121" stroke-width="1.5"{dash}><title>{what} {r.direction} {value:.4g}</title></line>')
    side = ">=" if r.direction == "min" else "<="
    out.append(_text(plot_x + plot_w + 10, mid + 4, f"{measured} ({side} {r.threshold:.4g}) {r.status}", size=11,
                     fill=COLOURS.get(r.status, GREY)))
    return out

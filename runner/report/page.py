"""A run report as one self-contained HTML page: inline CSS, inline SVG, pictures as
data: URIs, no script and no address to fetch. Every value from a record goes through
`html.escape` (`_e`), so a note holding markup shows as text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from runner.models.report import DecisionEntry, GateEntry, Picture, QcEntry, RunReport
from runner.models.run import Invocation
from runner.report.svg import qc_chart, timeline

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#212121;margin:0 auto;max-width:1100px;padding:16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
h3{font-size:15px;margin:18px 0 6px}table{border-collapse:collapse;width:100%;margin:6px 0 10px}
th,td{border:1px solid #e0e0e0;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f5f5f5}
code,.hash,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}.hash{word-break:break-all}
.PASS,.PASSED,.POSTED,.approve,.ok{color:#2e7d32;font-weight:600}.FAIL,.FAILED,.reject,.bad{color:#c62828;font-weight:600}
.WARN,.SKIPPED,.AWAITING_APPROVAL,.RUNNING,.CANCELED,.ABANDONED{color:#ef6c00;font-weight:600}
.verdict{border:2px solid;border-radius:6px;padding:8px 12px;margin:12px 0}.verdict.ok{border-color:#2e7d32}
.verdict.bad{border-color:#c62828}pre.diff{background:#fafafa;border:1px solid #e0e0e0;padding:8px;overflow-x:auto}
.add{color:#1b5e20;background:#e8f5e9}.del{color:#b71c1c;background:#ffebee}.hunk{color:#6a1b9a}
figure{display:inline-block;margin:8px;vertical-align:top;max-width:100%}figure img{max-width:100%;border:1px solid #ccc}
figcaption{font-size:12px;max-width:820px}.fields th{width:90px}.chart{max-width:100%;height:auto}.muted{color:#757575}
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _status(value: str) -> str:
    return f'<span class="{_e(value)}">{_e(value)}</span>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table; the cells are HTML already (escaped by the caller)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fields(rows: Sequence[tuple[str, str]]) -> str:
    """A two-column table: a name, and its value (HTML already escaped)."""
    return '<table class="fields">' + "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


def _hash(value: str | None) -> str:
    return f'<span class="hash">{_e(value)}</span>' if value else '<span class="muted">-</span>'


def render(report: RunReport) -> str:
    wf = report.workflow
    title = f"runner report: {report.run_id}"
    parts = [
        (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><title>{_e(title)}</title><style>{CSS}</style></head><body>'),
        f"<h1>{_e(report.run_id)}</h1>",
        (f"<p>workflow <code>{_e(wf.name)}</code> version {_e(wf.version)}, slug <code>{_e(wf.slug)}</code>, "
        f"artifact path <code>{_e(wf.artifact_path)}</code>; status {_status(report.status)}; started "
        f"{_e(report.started_at)} by {_e(report.created_by.name)}, finished {_e(report.finished_at or '-')}</p>"),
        _verify(report), "<h2>Gate timeline</h2>", timeline(report.gates, report.started_at, report.finished_at),
        _events(report),
    ]
    parts += [_gate(gate, report.invocations) for gate in report.gates]
    if report.qc:
        parts.append("<h2>QC metrics</h2><p class=\"muted\">The QC reports whose bytes are still those their "
                     "attempt hashed (a later attempt writes over an earlier one's).</p>"
                     + "".join(_qc(entry) for entry in report.qc))
    if report.pictures:
        copies: dict[str, list[str]] = {}
        for p in report.pictures:
            if p.same_as:
                copies.setdefault(p.same_as, []).append(p.path)
        parts.append("<h2>Outputs: contact sheets and images</h2>" + "".join(
            _picture(p, copies.get(p.path, [])) for p in report.pictures if not p.same_as))
    parts.append(f'<p class="muted">Made by runner {_e(report.runner_version)} from the records of the run and '
                 f"its outputs as they are now.</p></body></html>\n")
    return "\n".join(parts)


def _verify(report: RunReport) -> str:
    v = report.verify
    verdict = "verified: the records are complete, unchanged and made by the runner" if v.ok else \
        f"verify found {len(v.findings)} problem(s)"
    counts = f"{v.records} record(s), {v.commits} commit(s), {v.artifacts} artifact(s) checked"
    findings = "" if v.ok else _table(["code", "file", "field", "commit", "message"], (
        (_e(f.code), _e(f.file), _e(f.field), _hash(f.commit[:12] if f.commit else None), _e(f.message))
        for f in v.findings))
    return (f'<div class="verdict {"ok" if v.ok else "bad"}" id="verify"><strong class="{"ok" if v.ok else "bad"}">'
            f"runner verify: {_e(verdict)}</strong><br>{_e(counts)}{findings}</div>")


def _events(report: RunReport) -> str:
    rows = ((_e(ev.seq), _e(ev.at), _e(ev.type), _e(ev.gate), _e(ev.attempt), _e(ev.actor.name))
            for ev in report.events)
    return "<details><summary>Events (the hash chain of RUN.json)</summary>" + \
        _table(["#", "at", "event", "gate", "attempt", "by"], rows) + "</details>"


def _gate(gate: GateEntry, invocations: list[Invocation]) -> str:
    parts = [(f'<h2 id="gate-{_e(gate.gate)}">{_e(gate.gate)} {_e(gate.name or "")} '
             f'<span class="muted">({_e(gate.kind)})</span> {_status(gate.status)}</h2>')]
    if gate.current:
        parts.append(f"<p>attempt {_e(gate.current.attempt)} started {_e(gate.current.started_at)} by "
                     f"{_e(gate.current.started_by.name)}, not finished</p>")
    if gate.waiting:
        w = gate.waiting
        timer = f"; at {_e(w.deadline)} the timer will {_e(w.on_timeout)}" if w.deadline and not w.escalated else ""
        parts.append(f'<p class="WARN">waits for {_e(w.waiting_for)} since {_e(w.since)}'
                     f"{'; escalated' if w.escalated else ''}{timer}</p>")
    for entry in gate.attempts:
        a = entry.record
        parts.append(f"<h3>attempt {_e(a.attempt)} {_status(a.status)}</h3>")
        contract = f"<code>{_e(a.contract.path)}</code> sha256 {_hash(a.contract.sha256)}" if a.contract else "-"
        parts.append(_fields([("record", f"<code>{_e(entry.file)}</code> sha256 {_hash(entry.sha256)}"),
                              ("started", f"{_e(a.started_at)} by {_e(a.started_by.name)}"),
                              ("finished", f"{_e(a.finished_at)} by {_e(a.finished_by.name)}"),
                              ("agent", _e(a.agent or "-")), ("contract", contract)]))
        if a.failure_reason:
            parts.append(f'<p class="FAIL">{_e(a.failure_reason)}</p>')
        if a.route:
            parts.append(f"<p>route: <strong>{_e(a.route.action)}</strong> {_e(a.route.target or '')}: "
                         f"{_e(a.route.reason)}</p>")
        if a.artifacts:
            parts.append(_table(["output", "sha256", "bytes"], (
                (f"<code>{_e(art.path)}</code>", _hash(art.sha256) if art.exists else
                 '<span class="FAIL">missing</span>' if art.required else '<span class="muted">absent (optional)</span>',
                 _e(art.size if art.size is not None else "-")) for art in a.artifacts)))
        ran = [i for i in invocations if i.gate == gate.gate and i.attempt == a.attempt]
        if ran:
            parts.append(_table(["ran", "status", "exit", "seconds", "by"], (
                (_e(" ".join(i.command) if i.command else i.agent + (f" ({i.model})" if i.model else "")),
                 _e(i.status), _e(i.exit_code if i.exit_code is not None else "-"),
                 _e(i.duration_s if i.duration_s is not None else "-"), _e(i.actor.name)) for i in ran)))
        if a.validations:
            parts.append(_table(["#", "check", "target", "verdict", "message"], (
                (_e(v.index), _e(v.type), f"<code>{_e(v.target)}</code>", _status(v.status), _e(v.message))
                for v in a.validations)))
    parts += [_decision(entry) for entry in gate.decisions]
    return "\n".join(parts)


def _decision(entry: DecisionEntry) -> str:
    d = entry.record
    how = " (automatic" + (", timed out" if d.timed_out else "") + ")" if d.automatic else ""
    parts = [f"<h3>decision {_e(d.decision)} on attempt {_e(d.attempt)}: {_status(d.verdict)}</h3>",
             (f"<p>by {_e(d.by.name)}{(' &lt;' + _e(d.by.email) + '&gt;') if d.by.email else ''} at {_e(d.at)}"
             f"{_e(how)}; <code>{_e(entry.file)}</code> {_hash(entry.sha256)}</p>")]
    if d.note:
        parts.append(f"<blockquote>{_e(d.note)}</blockquote>")
    for diff in entry.diffs:
        source = "from the file's bytes" if diff.source == "bytes" else "from the patch (already applied)"
        parts.append(f"<p>patch of <code>{_e(diff.path)}</code> ({_e(source)}): {_hash(diff.sha256_before)} &rarr; "
                     f"{_hash(diff.sha256_after)}</p><pre class=\"diff\">{_diff_lines(diff.diff)}</pre>")
    return "\n".join(parts)


def _diff_lines(diff: str) -> str:
    out = []
    for line in diff.splitlines():
        kind = "hunk" if line.startswith("@@") else "add" if line.startswith("+") and not line.startswith("+++") \
            else "del" if line.startswith("-") and not line.startswith("---") else ""
        out.append(f'<span class="{kind}">{_e(line)}</span>' if kind else _e(line))
    return "\n".join(out)


def _qc(entry: QcEntry) -> str:
    r = entry.report
    rows = ((_e(x.rule_id), _e(x.metric), _e("-" if x.value is None else f"{x.value:.4g}"),
             _e(f"{'>=' if x.direction == 'min' else '<='} {x.threshold:.4g}"), _status(x.status), _e(x.action))
            for x in r.results)
    return (f"<h3>{_e(entry.gate)} attempt {_e(entry.attempt)}: <code>{_e(entry.path)}</code> "
            f"({'passed' if r.passed else 'failed'}, policy {_e(r.policy_id)})</h3>" + qc_chart(r) +
            _table(["rule", "metric", "value", "threshold", "status", "asks for"], rows))


def _picture(p: Picture, copies: list[str]) -> str:
    """One figure per distinct content: the outputs with the same bytes are named in its caption."""
    what = "contact sheet" if p.kind == "contact_sheet" else "image"
    state = "" if p.recorded else ' <span class="WARN">(not the bytes an attempt recorded)</span>'
    also = "".join(f", <code>{_e(path)}</code>" for path in copies)
    caption = f"{_e(what)} of <code>{_e(p.path)}</code>{also} {_hash(p.sha256)}{state}"
    if p.data_uri is None:
        return f'<figure><figcaption>{caption}: <span class="bad">{_e(p.problem)}</span></figcaption></figure>'
    return f'<figure><img src="{_e(p.data_uri)}" alt="{_e(what)} of {_e(p.path)}"><figcaption>{caption}' \
           f"</figcaption></figure>"

// The runner console page: plain DOM, no framework, nothing fetched from another site.
// Every text from a record is set with textContent, never parsed as HTML.
"use strict";

const API = "/api/v1";
const state = { me: null, csrf: "", source: null, patchTypes: undefined };

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

async function api(path, options = {}) {
  const headers = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = state.csrf;
  const response = await fetch(API + path, {
    method: options.method || "GET", headers, credentials: "same-origin",
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  let data = null;
  const type = response.headers.get("content-type") || "";
  if (type.includes("json")) data = await response.json();
  if (response.status === 401 && path !== "/session") showLogin();
  return { ok: response.ok, status: response.status, data };
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return "-";
  if (seconds < 0) return "overdue";
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]]) {
    if (seconds >= size) return (seconds / size).toFixed(1) + unit;
  }
  return Math.round(seconds) + "s";
}

const view = () => document.getElementById("view");

function show(...children) {
  view().replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined));
}

function showLogin() {
  state.me = null;
  state.shown = state.routed = null;
  document.getElementById("login").hidden = false;
  document.getElementById("me").textContent = "";
  show();
  document.getElementById("token").focus();
}

async function login(event) {
  event.preventDefault();
  const token = document.getElementById("token").value.trim();
  const result = await api("/session", { method: "POST", body: { token } });
  if (!result.ok) {
    document.getElementById("login-error").textContent = (result.data && result.data.detail) || "login failed";
    return;
  }
  document.getElementById("token").value = "";
  signedIn(result.data);
}

function signedIn(session) {
  state.me = session;
  state.csrf = session.csrf;
  document.getElementById("login").hidden = true;
  document.getElementById("login-error").textContent = "";
  document.getElementById("me").replaceChildren(
    `${session.name} (${session.role}) `,
    h("button", { type: "button", id: "logout", onclick: logout }, "Log out"));
  listen();
  loadPatchTypes().then(() => route());
}

async function logout() {
  await api("/session", { method: "DELETE" });
  if (state.source) state.source.close();
  showLogin();
}

function listen() {
  if (state.source) state.source.close();
  const live = document.getElementById("live");
  const source = state.source = new EventSource(API + "/events");
  source.addEventListener("open", () => { live.textContent = "live"; live.classList.add("on"); });
  source.addEventListener("error", () => { live.textContent = "reconnecting"; live.classList.remove("on"); });
  source.addEventListener("commit", () => route(true));
}

// ------------------------------------------------------------------ views

async function route(refresh) {
  if (!state.me) return;
  const hash = location.hash || "#/";
  // A new page is drawn afresh; the page shown, asked again (a login's first route racing a
  // link followed at once), is left as it is, with the sections and forms the person opened.
  if (!refresh && hash !== state.routed) state.shown = null;
  state.routed = hash;
  const asked = state.asked = (state.asked || 0) + 1;
  const run = hash.match(/^#\/run\/([^/]+)$/);
  if (run) return runPage(decodeURIComponent(run[1]), refresh, asked);
  if (hash.startsWith("#/runs")) return runsPage(undefined, asked);
  return inboxPage(asked);
}

// Only the latest route draws: an older answer arriving late (the login's first page, a
// live update) never covers the page asked for since.
function stale(asked) {
  return asked !== undefined && asked !== state.asked;
}

async function inboxPage(asked) {
  const result = await api("/inbox");
  if (stale(asked)) return;
  if (!result.ok) return problem(result);
  const rows = result.data.map((item) => h("tr", {},
    h("td", {}, h("a", { href: `#/run/${encodeURIComponent(item.run_id)}` }, item.run_id)),
    h("td", {}, item.gate), h("td", {}, item.attempt), h("td", {}, item.waiting_for),
    h("td", {}, age(item.age_s)),
    h("td", {}, item.escalated ? "escalated" : item.time_left_s === null ? "-" :
      item.time_left_s < 0 ? `${item.on_timeout} overdue (the next tick applies it)` :
      `${item.on_timeout} in ${age(item.time_left_s)}`),
    h("td", {}, item.deciders.join(", ") || "-")));
  show(h("h1", {}, `Inbox (${result.data.length} waiting)`), rows.length
    ? cardTable("inbox", ["Run", "Gate", "Attempt", "Waits for", "Age", "Time left", "Who may decide"], rows)
    : h("p", {}, "Nothing waits for a person."));
}

async function runsPage(cursor, asked) {
  const status = new URLSearchParams(location.hash.split("?")[1] || "").get("status") || "";
  const query = new URLSearchParams({ limit: "100" });
  if (status) query.set("status", status);
  if (cursor) query.set("cursor", cursor);
  const result = await api(`/runs?${query}`);
  if (stale(asked)) return;
  if (!result.ok) return problem(result);
  const select = h("select", { id: "status-filter", "aria-label": "Status",
    onchange: (e) => { location.hash = e.target.value ? `#/runs?status=${e.target.value}` : "#/runs"; } },
  ["", "QUEUED", "RUNNING", "PASSED", "FAILED", "CANCELED", "POSTED"].map((s) =>
    h("option", { value: s, selected: s === status }, s || "any status")));
  const rows = result.data.items.map((r) => h("tr", {},
    h("td", {}, h("a", { href: `#/run/${encodeURIComponent(r.run_id)}` }, r.run_id)),
    h("td", {}, r.workflow), h("td", { class: r.status }, r.status),
    h("td", {}, `${r.gates_passed}/${r.gates_total}`), h("td", {}, r.waiting || r.current || "-"),
    h("td", {}, r.last_activity || r.started_at)));
  const more = result.data.next_cursor ? h("button", { type: "button",
    onclick: () => runsPage(result.data.next_cursor) }, "Next page") : null;
  show(h("h1", {}, "Runs"), select,
    cardTable("runs", ["Run", "Workflow", "Status", "Gates passed", "Now", "Last activity"], rows), more);
}

// A table that a narrow screen shows as one card per row, each cell named by its column.
function cardTable(id, headers, rows) {
  for (const row of rows) {
    [...row.children].forEach((cell, i) => { cell.dataset.label = headers[i]; });
  }
  return h("div", { class: "scroll" }, h("table", { id, class: "cards" },
    h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, rows)));
}

async function runPage(runId, refresh, asked) {
  const result = await api(`/runs/${encodeURIComponent(runId)}`);
  if (stale(asked)) return;
  if (!result.ok) return problem(result);
  const text = JSON.stringify(result.data);
  if (text === state.shown) return; // nothing of this run changed: leave the page as it is
  state.shown = text;
  const { run, attempts, decisions } = result.data;
  const open = refresh ? saveForms() : null;
  const gates = run.gates.map((gate) => gateSection(run, gate,
    attempts.filter((a) => a.gate === gate.gate), decisions.filter((d) => d.gate === gate.gate)));
  show(h("h1", {}, run.run_id),
    h("p", {}, "Status: ", h("strong", { id: "run-status", class: run.status }, run.status),
      ` · workflow ${run.workflow.name} · started ${run.started_at} by ${run.created_by.name}`),
    resumeButton(run), h("h2", {}, "Gates"), gates, timeline(run));
  if (open) restoreForms(open);
}

// The run's events, in order (a hash chain in RUN.json): who did what, when.
function timeline(run) {
  const rows = run.events.map((e) => h("tr", {}, h("td", {}, e.seq), h("td", {}, e.at), h("td", {}, e.type),
    h("td", {}, e.gate ? `${e.gate}${e.attempt ? " #" + e.attempt : ""}` : ""), h("td", {}, e.actor.name)));
  return h("details", { id: "timeline" }, h("summary", {}, `Timeline (${rows.length} events)`),
    h("div", { class: "scroll" }, h("table", {}, h("thead", {}, h("tr", {},
      ["#", "At", "Event", "Gate", "By"].map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, rows))));
}

// A run that stopped (a rejected gate, a patch to apply) goes on when a decider asks.
function resumeButton(run) {
  const waiting = run.gates.some((g) => g.waiting);
  if (!state.me || state.me.role !== "decider" || waiting || ["PASSED", "CANCELED", "POSTED"].includes(run.status)) {
    return null;
  }
  const message = h("span", { class: "hint", role: "status" });
  const button = h("button", { type: "button", id: "resume", onclick: async () => {
    const result = await api(`/jobs/${encodeURIComponent(run.run_id)}/resume`, { method: "POST", body: {} });
    const d = result.data || {};
    message.textContent = result.ok ? ` ${d.kind}: ${d.message || d.status}` : ` ${d.detail || "refused"}`;
  } }, "Resume the run");
  return h("p", {}, button, message);
}

function gateSection(run, gate, attempts, decisions) {
  const waiting = gate.status === "AWAITING_APPROVAL" && gate.waiting && gate.waiting.waiting_for === "decision";
  return h("section", { class: "gate", id: `gate-${gate.gate}`, "aria-label": `Gate ${gate.gate}` },
    h("h3", {}, `${gate.gate}${gate.name ? " · " + gate.name : ""} `,
      h("span", { class: gate.status, "data-gate-status": gate.gate }, gate.status), ` (${gate.kind})`),
    gate.waiting ? h("p", {}, `Waiting for ${gate.waiting.waiting_for} since ${gate.waiting.since}`,
      gate.waiting.deadline ? ` · ${gate.waiting.on_timeout} at ${gate.waiting.deadline}` : "") : null,
    attempts.map((a) => attemptBlock(run, a)),
    decisions.map(decisionBlock),
    waiting && state.me.role === "decider" ? decideForm(run, gate) : null,
    waiting && state.me.role !== "decider" ? h("p", { class: "hint" }, "A decider token may decide this gate.") : null);
}

function attemptBlock(run, attempt) {
  const outputs = attempt.artifacts.map((a) => h("tr", {},
    h("td", {}, a.exists && a.kind !== "dir" ? h("a", { href: artifactUrl(run.run_id, a.path), target: "_blank",
      rel: "noopener" }, a.path) : a.path),
    h("td", { class: "hash" }, a.sha256 || (a.exists ? "" : "missing")), h("td", {}, a.size ?? "")));
  const checks = attempt.validations.map((v) => h("tr", {},
    h("td", {}, v.type), h("td", { class: v.status }, v.status), h("td", {}, v.message),
    h("td", {}, Object.keys(v.details || {}).length ? h("code", {}, JSON.stringify(v.details)) : "")));
  return h("div", { class: "attempt" },
    h("h4", {}, `Attempt ${attempt.attempt} `, h("span", { class: attempt.status }, attempt.status),
      ` · ${attempt.finished_at} · ${attempt.finished_by.name}${attempt.agent ? " · agent " + attempt.agent : ""}`),
    attempt.failure_reason ? h("p", { class: "error" }, attempt.failure_reason) : null,
    outputs.length ? h("div", { class: "scroll" }, h("table", {}, h("thead", {}, h("tr", {},
      h("th", {}, "Output"), h("th", {}, "SHA-256"), h("th", {}, "Bytes"))), h("tbody", {}, outputs))) : null,
    checks.length ? h("details", {}, h("summary", {}, `Checks and metrics (${checks.length})`),
      h("div", { class: "scroll" }, h("table", {}, h("tbody", {}, checks)))) : null,
    attempt.artifacts.filter((a) => a.exists && a.kind !== "dir").slice(0, 6).map((a) => preview(run.run_id, a)));
}

function artifactUrl(runId, path) {
  return `${API}/runs/${encodeURIComponent(runId)}/artifacts/${path.split("/").map(encodeURIComponent).join("/")}`;
}

function preview(runId, artifact) {
  const url = artifactUrl(runId, artifact.path);
  const name = artifact.path.toLowerCase();
  if (/\.(png|jpe?g|gif|webp)$/.test(name)) return h("img", { class: "preview", src: url, alt: artifact.path });
  if (/\.(mp4|webm|mov)$/.test(name)) return h("video", { class: "preview", src: url, controls: true, preload: "metadata" });
  if (name.endsWith("qc_report.json")) return qcMetrics(url, artifact.path);
  if (!/\.(md|txt|json|ya?ml|csv|srt|vtt)$/.test(name)) return null;
  const pre = h("pre", { "data-preview": artifact.path }, "…");
  fetch(url, { credentials: "same-origin" }).then((r) => r.text()).then((text) => {
    pre.textContent = text.length > 8000 ? text.slice(0, 8000) + "\n…" : text;
  });
  return h("details", {}, h("summary", {}, `Preview ${artifact.path}`), pre);
}

// A QC report's measured metrics against their thresholds, as a table.
function qcMetrics(url, path) {
  const box = h("div", { class: "scroll", "data-qc": path }, "…");
  fetch(url, { credentials: "same-origin" }).then((r) => r.json()).then((report) => {
    const rows = (report.results || []).map((m) => h("tr", {},
      h("td", {}, m.rule_id), h("td", {}, m.metric), h("td", {}, m.value === null ? "-" : Number(m.value).toFixed(3)),
      h("td", {}, `${m.direction === "max" ? "≤" : "≥"} ${m.threshold}`), h("td", { class: m.status }, m.status)));
    box.replaceChildren(h("table", {}, h("caption", {}, `QC ${path}: ${report.passed ? "passed" : "failed"}`),
      h("thead", {}, h("tr", {}, ["Rule", "Metric", "Value", "Threshold", "Status"].map((t) => h("th", {}, t)))),
      h("tbody", {}, rows)));
  }).catch(() => { box.textContent = `${path}: not a QC report`; });
  return box;
}

function decisionBlock(decision) {
  return h("div", { class: "attempt decision" },
    h("h4", {}, `Decision ${decision.decision} on attempt ${decision.attempt}: `,
      h("span", { class: decision.verdict }, decision.verdict), ` by ${decision.by.name} · ${decision.at}`,
      decision.automatic ? " (automatic)" : ""),
    decision.note ? h("p", {}, decision.note) : null,
    decision.patch ? patchDiff(decision) : null);
}

function patchDiff(decision) {
  const ops = Array.isArray(decision.patch) ? decision.patch : decision.patch.operations;
  const lines = [];
  if (Array.isArray(ops)) {
    for (const op of ops) {
      const value = op.value === undefined ? "" : " " + JSON.stringify(op.value);
      if (op.op === "remove") lines.push(h("span", { class: "del" }, `- ${op.path}\n`));
      else if (op.op === "replace") lines.push(h("span", { class: "del" }, `- ${op.path}\n`),
        h("span", { class: "add" }, `+ ${op.path}${value}\n`));
      else lines.push(h("span", { class: "add" }, `+ ${op.op} ${op.path}${op.from ? " from " + op.from : ""}${value}\n`));
    }
  } else if (Array.isArray(decision.patch.replacements)) {
    for (const r of decision.patch.replacements) {
      lines.push(h("span", { class: "del" }, `- ${r.old}\n`), h("span", { class: "add" }, `+ ${r.new}\n`));
    }
  } else if (decision.patch.section !== undefined) {
    lines.push(h("span", { class: "del" }, `- ${decision.patch.section} (as it was)\n`),
      h("span", { class: "add" }, `+ ${decision.patch.section}\n+ ${decision.patch.content}\n`));
  } else {
    lines.push(h("span", { class: "add" }, JSON.stringify(decision.patch, null, 2) + "\n"));
  }
  if (decision.patch.target) lines.unshift(`${decision.patch.type || "json_patch"} on ${decision.patch.target}\n`);
  for (const f of decision.patched_files || []) {
    lines.push(`${f.path}: ${f.sha256_before.slice(0, 12)} → ${f.sha256_after.slice(0, 12)}\n`);
  }
  return h("details", { open: true }, h("summary", {}, "Patch"), h("pre", { class: "diff" }, lines));
}

// ------------------------------------------------------------------ deciding

function decideForm(run, gate) {
  const id = `decide-${gate.gate}`;
  const error = h("p", { class: "error", role: "alert" });
  const note = h("textarea", { id: `${id}-note`, name: "note" });
  const raw = h("textarea", { id: `${id}-patch`, name: "patch", placeholder: '[{"op": "replace", "path": "/title", "value": "…"}]' });
  const target = h("input", { id: `${id}-target`, name: "target", placeholder: "output path (JSON Patch, when several)" });
  const typed = h("div", { class: "typed" });
  if (state.patchTypes !== undefined) typed.replaceChildren(...typedForms(id, state.patchTypes)); // restorable at once
  else loadPatchTypes().then((types) => typed.replaceChildren(...typedForms(id, types)));
  async function send(verdict) {
    error.textContent = "";
    let patch = null;
    try {
      patch = chosenPatch(typed) ?? (raw.value.trim() ? JSON.parse(raw.value) : null);
    } catch (e) {
      error.textContent = `The patch is not valid JSON: ${e.message}`;
      return;
    }
    // the attempt shown: a decision is refused (409) if another one waits by the time it arrives
    const seen = gate.waiting ? gate.waiting.attempt : null;
    const body = { gate: gate.gate, note: note.value.trim() || null, patch, target: target.value.trim() || null,
      attempt: seen };
    const result = await api(`/jobs/${encodeURIComponent(run.run_id)}/${verdict}`, { method: "POST", body });
    if (result.ok) return route(true);
    const d = result.data || {};
    error.textContent = `${d.detail || "refused"}${d.hint ? " (" + d.hint + ")" : ""}` +
      (d.decision ? ` · decided by ${d.decision.by.name}: ${d.decision.verdict}` : "");
  }
  return h("form", { class: "decide", id, "aria-label": `Decide gate ${gate.gate}`, onsubmit: (e) => e.preventDefault() },
    h("label", { for: `${id}-note` }, "Note"), note,
    h("details", {}, h("summary", {}, "Patch the outputs (optional)"), typed,
      h("label", { for: `${id}-patch` }, "Raw JSON Patch (RFC 6902)"), raw,
      h("label", { for: `${id}-target` }, "Target"), target),
    h("div", { class: "buttons" },
      h("button", { type: "button", class: "approve", id: `${id}-approve`, onclick: () => send("approve") }, "Approve"),
      h("button", { type: "button", class: "reject", id: `${id}-reject`, onclick: () => send("reject") }, "Reject")),
    error);
}

async function loadPatchTypes() {
  if (state.patchTypes === undefined) {
    const result = await api("/patches/types");
    const data = result.ok ? result.data : [];
    // Each type's worked example (`example.patch`) gives the form its fields and their first values;
    // a JSON Patch (a list) is typed into the raw field instead.
    state.patchTypes = (Array.isArray(data) ? data : []).map((t) => ({ type: t.type, description: t.summary,
      example: t.example && t.example.patch })).filter((t) => t.example && typeof t.example === "object"
      && !Array.isArray(t.example));
  }
  return state.patchTypes;
}

function typedForms(id, types) {
  return types.map((t) => {
    const name = t.type || t.name || t.example.type;
    const fields = Object.entries(t.example).filter(([key]) => key !== "type").map(([key, value]) => {
      const fid = `${id}-${name}-${key}`;
      const input = typeof value === "object" && value !== null
        ? h("textarea", { id: fid, "data-key": key, "data-json": true }, JSON.stringify(value, null, 2))
        : h("input", { id: fid, "data-key": key, "data-number": typeof value === "number", value: String(value) });
      return [h("label", { for: fid }, key), input];
    });
    return h("fieldset", { "data-type": name }, h("legend", {},
      h("label", {}, h("input", { type: "radio", name: `${id}-typed`, value: name }), ` ${name}`),
      t.description ? h("span", { class: "hint" }, ` ${t.description}`) : null), fields);
  });
}

function chosenPatch(typed) {
  const chosen = typed.querySelector("input[type=radio]:checked");
  if (!chosen) return null;
  const patch = { type: chosen.value };
  for (const input of chosen.closest("fieldset").querySelectorAll("[data-key]")) {
    const key = input.dataset.key;
    patch[key] = input.dataset.json !== undefined ? JSON.parse(input.value)
      : input.dataset.number !== undefined ? Number(input.value) : input.value;
  }
  return patch;
}

function saveForms() {
  const saved = {};
  for (const el of view().querySelectorAll("form.decide textarea, form.decide input[type=text], form.decide input:not([type])")) {
    if (el.id && el.value) saved[el.id] = el.value;
  }
  const details = [...view().querySelectorAll("details")];
  const opened = details.map((d, i) => (d.open ? i : -1)).filter((i) => i >= 0);
  const checked = [...view().querySelectorAll("input[type=radio]:checked")].map((r) => [r.name, r.value]);
  return { saved, opened, checked, focus: document.activeElement && document.activeElement.id };
}

// After a live update: what the person was typing, the sections they opened, their choices.
function restoreForms({ saved, opened, checked, focus }) {
  for (const [key, value] of Object.entries(saved)) {
    const el = document.getElementById(key);
    if (el) el.value = value;
  }
  const details = [...view().querySelectorAll("details")];
  for (const i of opened) if (details[i]) details[i].open = true;
  for (const [name, value] of checked) {
    const radio = [...view().querySelectorAll("input[type=radio]")].find((r) => r.name === name && r.value === value);
    if (radio) radio.checked = true;
  }
  if (focus && document.getElementById(focus)) document.getElementById(focus).focus();
}

function problem(result) {
  const d = result.data || {};
  if (result.status === 401) return;
  show(h("p", { class: "error", role: "alert" }, `${d.detail || "error " + result.status}${d.hint ? " (" + d.hint + ")" : ""}`));
}

// ------------------------------------------------------------------ start

window.addEventListener("hashchange", () => route());
document.addEventListener("DOMContentLoaded", async () => {
  document.getElementById("login-form").addEventListener("submit", login);
  const result = await api("/session");
  if (result.ok) signedIn(result.data);
  else showLogin();
});

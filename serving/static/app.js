// planex web page: post the text, highlight the returned spans, show the task table.
// Offsets from the server count Unicode code points, so the text is sliced with Array.from, not by UTF-16 index.
"use strict";

const $ = (id) => document.getElementById(id);

function setStatus(message, isError) {
  $("status").textContent = message;
  $("status").className = isError ? "error" : "";
}

function requestBody() {
  const options = {};
  const year = $("doc-year").value.trim();
  if (year) options.doc_year = parseInt(year, 10);
  return JSON.stringify({ text: $("text").value, options });
}

async function post(url, form) {
  // A FormData body (a file upload) sets its own multipart Content-Type.
  const headers = form ? {} : { "Content-Type": "application/json" };
  const key = $("api-key").value.trim();
  if (key) headers.Authorization = "Bearer " + key;
  const response = await fetch(url, { method: "POST", headers, body: form || requestBody() });
  if (!response.ok) {
    let detail = "HTTP " + response.status;
    try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
    throw new Error(detail);
  }
  return response;
}

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
  return node;
}

function renderHighlights(text, entities, colors) {
  const box = $("highlighted");
  box.replaceChildren();
  const chars = Array.from(text);
  let pos = 0;
  for (const e of entities) {
    if (e.start < pos) continue; // spans never overlap; skip defensively rather than garble the text
    box.append(chars.slice(pos, e.start).join(""));
    const color = colors[e.label] || "#999999";
    const mark = el("mark", chars.slice(e.start, e.end).join(""), {
      class: "ent", "data-label": e.label, title: `${e.label} ${e.score}`,
      style: `background:${color}55;border-bottom-color:${color}`,
    });
    box.append(mark);
    pos = e.end;
  }
  box.append(chars.slice(pos).join(""));
}

function renderLegend(labels) {
  const legend = $("legend");
  legend.replaceChildren(...labels.map((l) => el("span", l.name, { style: `background:${l.color}55`, title: l.description })));
}

// The task table's own columns; a label's column comes from the server (model.labels[].column, from the scheme).
const COLUMNS = [
  { key: "id", title: "#" }, { key: "section", title: "Section" }, { key: "task", title: "Task" },
  { key: "deadlines", title: "Deadlines" }, { key: "lead_units", title: "Lead units" },
  { key: "indicators", title: "Indicators" },
];

// A span as a reader wants it (the server's normalised text: simplified, wraps joined); hovering shows the
// posted text and its offsets, which the highlights above use.
function spanText(s) {
  return el("span", s.normalised, { class: "span-text", title: `${s.start}–${s.end}: ${s.text}` });
}

// A cell listing spans; a deadline's ISO date goes in a <time> that never breaks across lines.
function spanCell(spans, withDate) {
  const td = el("td");
  spans.forEach((s, i) => {
    if (i) td.append("; ");
    td.append(spanText(s));
    if (withDate && s.value && s.value.date) {
      td.append(" [", el("time", s.value.date, { datetime: s.value.date }), "]");
    }
  });
  return td;
}

// Labels added to the scheme after the four (column null) get a column each, only when spans of them came back.
function extraLabels(data, labels) {
  const known = new Set(labels.filter((l) => l.column).map((l) => l.name));
  const seen = new Set();
  data.tasks.forEach((t) => Object.keys(t.other || {}).forEach((name) => seen.add(name)));
  data.unattached.forEach((s) => { if (!known.has(s.label)) seen.add(s.label); });
  return [...seen];
}

function renderTasks(data) {
  const labels = data.model.labels;
  const columnOf = Object.fromEntries(labels.map((l) => [l.name, l.column]));
  const columns = COLUMNS.concat(extraLabels(data, labels).map((name) => ({ key: name, title: name })));
  const head = el("tr");
  columns.forEach((c) => head.append(el("th", c.title, { class: `col-${c.key}` })));
  $("tasks").querySelector("thead").replaceChildren(head);
  const body = $("tasks").querySelector("tbody");
  body.replaceChildren();
  for (const t of data.tasks) {
    const cells = {
      id: el("td", String(t.id)), section: el("td", t.section.join("")), task: spanCell([t.title]),
      deadlines: spanCell(t.deadlines, true), lead_units: spanCell(t.lead_units), indicators: spanCell(t.indicators),
    };
    Object.entries(t.other || {}).forEach(([name, spans]) => { cells[name] = spanCell(spans, true); });
    body.append(tableRow(columns, cells));
  }
  for (const s of data.unattached) {
    const key = columnOf[s.label] || s.label;
    const row = tableRow(columns, { section: el("td", "(unattached)"), [key]: spanCell([s], true) });
    row.className = "unattached";
    body.append(row);
  }
}

function tableRow(columns, cells) {
  const row = el("tr");
  columns.forEach((c) => {
    const td = cells[c.key] || el("td");
    td.classList.add(`col-${c.key}`);
    row.append(td);
  });
  return row;
}

function showModel(name, version) {
  $("model-name").textContent = `${name} ${version}`;
}

// The model's name before the first extraction: /readyz is open even when the API needs a key.
async function loadModelName() {
  try {
    const response = await fetch("/readyz");
    const ready = await response.json();
    if (response.ok) {
      showModel(ready.model, ready.version);
      return;
    }
    $("model-name").textContent = "model loading…";
  } catch (e) {
    $("model-name").textContent = "server not reachable";
  }
  setTimeout(loadModelName, 2000);
}

async function extract() {
  const text = $("text").value;
  setStatus("Extracting…");
  try {
    const data = await (await post("/v1/extract")).json();
    const colors = Object.fromEntries(data.model.labels.map((l) => [l.name, l.color]));
    showModel(data.model.name, data.model.version);
    renderLegend(data.model.labels);
    renderHighlights(text, data.entities, colors);
    renderTasks(data);
    $("output").hidden = false;
    setStatus(`${data.entities.length} spans, ${data.tasks.length} tasks, ${data.unattached.length} unattached; ` +
      `${Math.round(data.timing.total_ms)} ms`);
  } catch (e) {
    setStatus(e.message, true);
  }
}

async function downloadCsv() {
  setStatus("Preparing CSV…");
  try {
    const blob = await (await post("/v1/extract?format=csv")).blob();
    const link = el("a", undefined, { href: URL.createObjectURL(blob), download: "planex-tasks.csv" });
    document.body.append(link);
    link.click();
    link.remove();
    setStatus("CSV downloaded");
  } catch (e) {
    setStatus(e.message, true);
  }
}

// A chosen or dropped file (PDF, DOCX, HTML, text) goes to the server, which reads it; the text it
// read fills the text box, and the highlights are cut from that text at the returned offsets.
async function extractFile(file) {
  setStatus(`Reading ${file.name}…`);
  const form = new FormData();
  form.append("file", file, file.name);
  const year = $("doc-year").value.trim();
  if (year) form.append("options", JSON.stringify({ doc_year: parseInt(year, 10) }));
  try {
    const data = await (await post("/v1/extract/file", form)).json();
    $("text").value = data.text;
    const colors = Object.fromEntries(data.model.labels.map((l) => [l.name, l.color]));
    showModel(data.model.name, data.model.version);
    renderLegend(data.model.labels);
    renderHighlights(data.text, data.entities, colors);
    renderTasks(data);
    $("output").hidden = false;
    const src = data.source;
    const pages = src.pages ? `, ${src.pages} pages` : "";
    const encoding = src.encoding ? `, ${src.encoding}` : "";
    setStatus(`${src.name} (${src.type}${pages}${encoding}): ${data.entities.length} spans, ` +
      `${data.tasks.length} tasks, ${data.unattached.length} unattached; ${Math.round(data.timing.total_ms)} ms`);
  } catch (e) {
    setStatus(`${file.name}: ${e.message}`, true);
  }
}

const drop = $("input");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("dragging"); });
drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("dragging");
  const file = e.dataTransfer.files[0];
  if (file) extractFile(file);
});
$("extract").addEventListener("click", extract);
$("download-csv").addEventListener("click", downloadCsv);
$("file").addEventListener("change", () => {
  const file = $("file").files[0];
  if (file) extractFile(file);
});
loadModelName();

// fleet's dashboard: the cluster as fleetd's API sees it, kept live by the event stream
// (GET /fleet/x1/events) or, from a fleetd without one, by listing again every 2 s.
// Plain DOM, no framework: the page is three tables and a journal pane.
"use strict";

const POLL_MS = 2000;
// While polling, how often to see whether the event stream has become available (an upgraded or
// registered fleetd).
const STREAM_RETRY_MS = 30000;
const JOURNAL_LINES = 50;

const model = {
  machines: new Map(), // id -> machine
  units: new Map(), // name -> unit
  states: new Map(), // name + "\n" + machineID -> unit state
};

const $ = (id) => document.getElementById(id);

// ---- API ----

class ApiError extends Error {}

// The message of fleet's error body ({"error":{"code","message"}}), else the status line.
async function failure(path, response) {
  let message = response.statusText;
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) message = body.error.message;
  } catch (_) {
    // not fleet's JSON: keep the status text
  }
  return new ApiError(`GET ${path}: ${response.status} ${message}`.trim());
}

async function get(path, accept) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: accept }, cache: "no-store" });
  } catch (e) {
    throw new ApiError(`GET ${path}: fleetd unreachable (${e.message})`);
  }
  if (!response.ok) throw await failure(path, response);
  return response;
}

// Every item of a paginated v1 collection.
async function listAll(path, key) {
  const items = [];
  let token = "";
  do {
    const query = token ? `?nextPageToken=${encodeURIComponent(token)}` : "";
    const page = await (await get(path + query, "application/json")).json();
    items.push(...(page[key] || []));
    token = page.nextPageToken || "";
  } while (token);
  return items;
}

const stateKey = (state) => `${state.name}\n${state.machineID}`;

async function relist() {
  const [machines, units, states] = await Promise.all([
    listAll("/fleet/v1/machines", "machines"),
    listAll("/fleet/v1/units", "units"),
    listAll("/fleet/v1/state", "states"),
  ]);
  model.machines = new Map(machines.map((m) => [m.id, m]));
  model.units = new Map(units.map((u) => [u.name, u]));
  model.states = new Map(states.map((s) => [stateKey(s), s]));
}

// ---- live updates ----

const live = {
  source: null, // the EventSource while the stream is in use
  pending: null, // events that arrive while a re-list runs, applied after it
  pollTimer: 0,
  retryTimer: 0,
};

function apply(type, item) {
  const table = { unit: model.units, state: model.states, machine: model.machines }[type];
  const key = type === "unit" ? item.name : type === "state" ? stateKey(item) : item.id;
  if (item.deleted) {
    table.delete(key);
  } else {
    table.set(key, item);
  }
}

async function resync() {
  live.pending = [];
  try {
    await relist();
    for (const [type, item] of live.pending) apply(type, item);
    showError("");
  } catch (e) {
    showError(e.message);
  } finally {
    live.pending = null;
    render();
  }
}

function onEvent(type, event) {
  let item;
  try {
    item = JSON.parse(event.data);
  } catch (_) {
    return; // a malformed line changes nothing; the next reset repairs any gap
  }
  if (live.pending) {
    live.pending.push([type, item]);
    return;
  }
  apply(type, item);
  scheduleRender();
}

function openStream() {
  clearTimeout(live.retryTimer);
  const source = new EventSource("/fleet/x1/events");
  live.source = source;
  source.addEventListener("open", () => {
    stopPolling();
    setLive("Live: following fleetd's event stream");
    // Listed after the stream opened, so no change falls between the list and the stream.
    resync();
  });
  for (const type of ["unit", "state", "machine"]) {
    source.addEventListener(type, (event) => onEvent(type, event));
  }
  source.addEventListener("reset", () => resync());
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) {
      // Refused (404 from a fleetd without the stream, 503 before registration): poll instead.
      source.close();
      live.source = null;
      startPolling();
      live.retryTimer = setTimeout(openStream, STREAM_RETRY_MS);
    } else {
      // The browser reconnects by itself; the "open" that follows lists again.
      setLive("Reconnecting to fleetd…");
    }
  });
}

function startPolling() {
  if (live.pollTimer) return;
  setLive(`Refreshing every ${POLL_MS / 1000} s (no event stream)`);
  const poll = async () => {
    await resync();
    if (live.pollTimer) live.pollTimer = setTimeout(poll, POLL_MS);
  };
  live.pollTimer = setTimeout(poll, 0);
}

function stopPolling() {
  clearTimeout(live.pollTimer);
  live.pollTimer = 0;
}

// ---- rendering ----

function setLive(text) {
  $("live").textContent = text;
}

function showError(message) {
  const banner = $("error");
  banner.textContent = message;
  banner.hidden = !message;
}

const shortId = (id) => (id || "").slice(0, 8);

function cell(row, text, className) {
  const td = row.insertCell();
  if (text instanceof Node) {
    td.append(text);
  } else {
    td.textContent = text;
  }
  if (className) td.className = className;
  return td;
}

function stateSpan(text, state) {
  const span = document.createElement("span");
  span.textContent = text;
  span.className = `state-${state}`;
  return span;
}

function machineLabel(id) {
  if (!id) return "-";
  const machine = model.machines.get(id);
  return machine && machine.primaryIP ? `${shortId(id)}/${machine.primaryIP}` : shortId(id);
}

const byKey = (key) => (a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0);

let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function renderMachines() {
  const body = $("machines").tBodies[0];
  body.replaceChildren();
  for (const machine of [...model.machines.values()].sort(byKey("id"))) {
    const row = body.insertRow();
    row.dataset.machine = machine.id;
    const id = cell(row, shortId(machine.id), "mono");
    id.title = machine.id;
    cell(row, machine.primaryIP || "-", "mono");
    const tags = document.createDocumentFragment();
    for (const [key, value] of Object.entries(machine.metadata || {}).sort()) {
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = `${key}=${value}`;
      // The space keeps neighbouring tags apart in the row's text, which the filter searches.
      tags.append(tag, " ");
    }
    cell(row, tags.childNodes.length ? tags : "-");
  }
}

// Each machine reporting a state for the unit: one for a unit that runs once, several for a
// global one.
function statesOf(name) {
  return [...model.states.values()].filter((s) => s.name === name).sort(byKey("machineID"));
}

function renderUnits() {
  const body = $("units").tBodies[0];
  body.replaceChildren();
  for (const unit of [...model.units.values()].sort(byKey("name"))) {
    const row = body.insertRow();
    row.dataset.unit = unit.name;
    if (journal.unit === unit.name) row.classList.add("selected");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "unit";
    button.textContent = unit.name;
    button.title = `Show the journal of ${unit.name}`;
    button.addEventListener("click", () => showJournal(unit.name));
    cell(row, button);
    cell(row, stateSpan(unit.desiredState || "-", unit.desiredState));
    cell(row, stateSpan(unit.currentState || "-", unit.currentState));

    const states = statesOf(unit.name);
    const active = document.createDocumentFragment();
    const placed = document.createDocumentFragment();
    for (const state of states) {
      const line = document.createElement("div");
      const sub = state.systemdSubState ? ` (${state.systemdSubState})` : "";
      line.append(stateSpan(`${state.systemdActiveState || "-"}${sub}`, state.systemdActiveState));
      active.append(line);
      const where = document.createElement("div");
      where.textContent = machineLabel(state.machineID);
      placed.append(where);
    }
    cell(row, states.length ? active : "-");
    // The engine's placement, else (a global unit) the machines that report it.
    cell(row, unit.machineID ? machineLabel(unit.machineID) : states.length ? placed : "-", "mono");
  }
}

// Hides rows that do not contain the filter text (case-insensitive), in both tables.
function applyFilter() {
  const needle = $("filter").value.trim().toLowerCase();
  for (const [table, noun] of [["machines", "machine"], ["units", "unit"]]) {
    const rows = [...$(table).tBodies[0].rows];
    let shown = 0;
    for (const row of rows) {
      row.hidden = needle !== "" && !row.textContent.toLowerCase().includes(needle);
      if (!row.hidden) shown += 1;
    }
    const total = rows.length;
    $(`${table}-count`).textContent =
      shown === total ? `(${total})` : `(${shown} of ${total} ${noun}s)`;
    $(`${table}-empty`).hidden = shown > 0;
    $(`${table}-empty`).textContent = total ? "Nothing matches the filter." : `No ${noun}s.`;
  }
}

function render() {
  renderMachines();
  renderUnits();
  applyFilter();
}

// ---- journal ----

const journal = { unit: "", generation: 0 };

async function showJournal(name) {
  journal.unit = name;
  const generation = ++journal.generation;
  const pane = $("journal");
  pane.hidden = false;
  $("journal-title").textContent = `Journal of ${name} (last ${JOURNAL_LINES} lines)`;
  $("journal-text").textContent = "Loading…";
  for (const row of $("units").tBodies[0].rows) {
    row.classList.toggle("selected", row.dataset.unit === name);
  }
  const path = `/fleet/x1/units/${encodeURIComponent(name)}/journal?lines=${JOURNAL_LINES}`;
  let text;
  try {
    text = await (await get(path, "text/plain")).text();
  } catch (e) {
    text = e.message;
  }
  // A later click wins over this answer arriving late.
  if (generation !== journal.generation) return;
  $("journal-text").textContent = text || "(no journal entries)";
}

function hideJournal() {
  journal.unit = "";
  journal.generation += 1;
  $("journal").hidden = true;
  for (const row of $("units").tBodies[0].rows) row.classList.remove("selected");
}

// ---- start ----

document.addEventListener("DOMContentLoaded", () => {
  $("filter").addEventListener("input", applyFilter);
  $("journal-refresh").addEventListener("click", () => journal.unit && showJournal(journal.unit));
  $("journal-close").addEventListener("click", hideJournal);
  if (window.EventSource) {
    openStream();
  } else {
    startPolling();
  }
});

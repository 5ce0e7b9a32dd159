"use strict";
// The sandbox console, part 2: the live tabs (journal, scenarios, session) read from the admin
// API, and the embedded ones (error catalog, reference); then the start. Uses console.js.

// -- journal: filtered, polled for what is new only --------------------------------------------
const JOURNAL_ROWS = 200;   // rows kept in the page; older ones leave it (the API keeps them)
const journal = { newest: null, generation: 0, incomplete: false };   // newest: the id of the newest entry seen
const ROUTE_PATTERNS = DATA.routes.map((route) => ({
  name: route.name, method: route.method,
  pattern: new RegExp("^" + route.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&")
    .replace(/\{\w+\}/g, "[^/]+") + "$") }));

function journalFilters() {
  return { operation: $("filter-operation").value, status: $("filter-status").value.trim(),
           answered_by: $("filter-answered-by").value.trim() };
}

// The journal's own operation name where an entry carries it, else the route its path matches.
function operationOf(entry) {
  if (entry.operation) return entry.operation;
  const route = ROUTE_PATTERNS.find((r) => r.method === entry.method && r.pattern.test(entry.path));
  return route ? route.name : "";
}

// The API filters where it honours them; the page applies the same filters to what it gets.
function matches(entry, filters) {
  return (!filters.operation || operationOf(entry) === filters.operation)
    && (!filters.status || String(entry.status) === filters.status)
    && (!filters.answered_by || entry.answered_by === filters.answered_by);
}

function preview(response) {
  if (!response) return "";
  const body = typeof response.body === "string" ? response.body : JSON.stringify(response.body);
  return `${response.status} ${body === undefined ? "" : body.slice(0, 90)}`;
}

function journalRow(entry) {
  const row = el("tr", { class: "clickable", "data-id": entry.id },
    el("td", {}, String(entry.time || "").slice(11, 23)),
    el("td", { class: "mono" }, `${entry.method} ${entry.path}`),
    el("td", { class: statusClass(entry.status) }, entry.status === null ? "-" : entry.status),
    el("td", { class: "mono" }, entry.answered_by),
    el("td", { class: "mono response" },
       entry.unanswered ? "closed without an answer" : preview(entry.response)),
    el("td", {}, typeof entry.duration_ms === "number" ? entry.duration_ms.toFixed(1) : entry.duration_ms));
  row.addEventListener("click", () => {
    if (row.nextSibling && row.nextSibling.classList.contains("detail")) { row.nextSibling.remove(); return; }
    const detail = { query: entry.query, headers: entry.headers, body: entry.body, response: entry.response,
                     ...(entry.unanswered ? { unanswered: entry.unanswered } : {}) };
    row.after(el("tr", { class: "detail" }, el("td", { colspan: 6 }, el("pre", {}, JSON.stringify(detail, null, 2)))));
  });
  return row;
}

function restartJournal() {
  journal.generation += 1;   // an answer still out for the old filters is dropped
  journal.newest = null;
  $("journal-body").replaceChildren();
}

// One call at a time (a slow answer, a token prompt): a call made meanwhile runs once after it.
function single(poll) {
  let busy = false;
  let again = false;
  const run = async () => {
    if (busy) { again = true; return; }
    busy = true;
    try { await poll(); } finally { busy = false; }
    if (again) { again = false; run(); }
  };
  return run;
}

const refreshJournal = single(pollJournal);

async function pollJournal() {
  if (journal.incomplete) restartJournal();
  const filters = journalFilters();
  const query = new URLSearchParams(Object.entries(filters).filter(([, value]) => value));
  const limit = $("filter-limit").value.trim();
  if (limit) query.set("limit", limit);
  if (journal.newest) query.set("since", journal.newest);
  const generation = journal.generation;
  const answer = await admin("GET", "/requests?" + query);
  if (generation !== journal.generation) return;
  if (!answer.ok || !answer.json) {
    $("journal-status").textContent = "journal unavailable";
    failed("GET " + ADMIN + "/requests", answer);
    return;
  }
  const entries = answer.json.requests || [];   // newest first
  const body = $("journal-body");
  // What is newer than the newest entry seen: all of them where the API honours `since`.
  const seen = entries.findIndex((entry) => entry.id === journal.newest);
  const fresh = seen === -1 ? entries : entries.slice(0, seen);
  for (const entry of fresh.slice().reverse()) {
    if (matches(entry, filters)) body.prepend(journalRow(entry));
  }
  if (entries.length) journal.newest = entries[0].id;
  for (const row of Array.from(body.querySelectorAll("tr.clickable")).slice(JOURNAL_ROWS)) {
    if (row.nextSibling && row.nextSibling.classList.contains("detail")) row.nextSibling.remove();
    row.remove();
  }
  const status = `${body.querySelectorAll("tr.clickable").length} shown · updated ${new Date().toLocaleTimeString()}`;
  // With --workers, a worker that did not answer the read took its entries with it: say so,
  // and read the whole journal again next time (an entry of its, older than those shown,
  // would never come back through `since`).
  const skipped = answer.json.skipped_workers || [];
  journal.incomplete = skipped.length > 0;
  $("journal-status").textContent = skipped.length
    ? status + " · incomplete: " + skipped.map((note) => `worker ${note.worker} ${note.problem}`).join("; ")
    : status;
  $("journal-status").classList.toggle("warning", skipped.length > 0);
}

async function clearJournal() {
  const answer = await admin("DELETE", "/requests");
  if (!answer.ok) failed("DELETE " + ADMIN + "/requests", answer);
  restartJournal();
  refreshJournal();
}

// -- scenarios ---------------------------------------------------------------------------------
let scenarios = [];

async function refreshScenarios() {
  const answer = await admin("GET", "/scenarios");
  if (!answer.ok || !answer.json) {
    failed("GET " + ADMIN + "/scenarios", answer);
    scenarios = [];
  } else {
    scenarios = answer.json.scenarios || [];
    $("active-scenario").textContent = answer.json.active || "none";
  }
  showScenarios();
}

function showScenarios() {
  const filter = $("scenario-filter").value.trim().toLowerCase();
  const body = $("scenarios-body");
  body.replaceChildren();
  const shown = scenarios.filter((s) => !filter || [s.name, (s.routes || []).join(" "), s.description || "",
    s.answers || ""].join(" ").toLowerCase().includes(filter));
  if (!shown.length) body.append(el("tr", {}, el("td", { colspan: 6, class: "muted" }, "No scenarios.")));
  for (const s of shown) {
    body.append(el("tr", {},
      el("td", { class: "mono" }, s.name),
      el("td", { class: "mono" }, (s.routes || []).join(", ")),
      el("td", {}, s.status === null || s.status === undefined ? "-" : s.status),
      el("td", {}, s.answers || ""),
      el("td", {}, s.description || ""),
      el("td", {}, el("button", { type: "button", onclick: () => activate(s.name) }, s.active ? "Active" : "Activate"))));
  }
}

async function activate(name) {
  const answer = await admin("PUT", "/scenarios/active", { name });
  if (!answer.ok) failed(`Activating ${name}`, answer);
  refreshScenarios();
}

async function deactivate() {
  const answer = await admin("DELETE", "/scenarios/active");
  if (!answer.ok) failed("Deactivating", answer);
  refreshScenarios();
}

// -- session: active scenario, its sequence step, chaos ----------------------------------------
function describeChaos(answer) {
  if (answer.status === 404 || answer.status === 405 || !answer.json) return "none";
  const chaos = "chaos" in answer.json ? answer.json.chaos : answer.json;
  if (!chaos || chaos.rate === undefined || chaos.rate === null) return "none";
  const parts = [`rate ${chaos.rate}`];
  if (chaos.routes) parts.push("routes " + [].concat(chaos.routes).join(", "));
  if (chaos.errors) parts.push("errors " + [].concat(chaos.errors).join(", "));
  if (chaos.delay_ms) parts.push("delay_ms " + [].concat(chaos.delay_ms).join("–"));
  return parts.join(" · ");
}

const refreshSession = single(async () => {
  $("session-name").textContent = sessionName() || "default";
  const active = await admin("GET", "/scenarios/active");
  if (!active.ok || !active.json) { failed("GET " + ADMIN + "/scenarios/active", active); return; }
  $("session-active").textContent = active.json.active || "none";
  const step = active.json.step;
  $("session-step").textContent = step === undefined || step === null ? "-"
    : `${step} (0-based: the step the next request gets)`;
  const chaos = await admin("GET", "/chaos");
  if (!chaos.ok && chaos.status !== 404 && chaos.status !== 405) failed("GET " + ADMIN + "/chaos", chaos);
  $("session-chaos").textContent = describeChaos(chaos);
  $("end-chaos").disabled = $("session-chaos").textContent === "none";
});

async function sessionAction(method, path, done) {
  const answer = await admin(method, path);
  if (!answer.ok) failed(`${method} ${ADMIN}${path}`, answer);
  else $("session-status").textContent = done;
  refreshSession();
}

// -- error catalog: searched and paged ---------------------------------------------------------
const CATALOG_PAGE = 25;
let catalogPage = 0;

function forceHint(row) {
  const header = "X-Sandbox-Error: " + row.code;
  return /^\d{5}$/.test(row.code) ? header + "  or id 999" + row.code : header;
}

function showCatalog() {
  const filter = $("catalog-filter").value.trim().toLowerCase();
  const rows = DATA.catalog.filter((row) => !filter || [row.status, row.code, row.type, row.description,
    (row.routes || []).join(" "), row.trigger || ""].join(" ").toLowerCase().includes(filter));
  const pages = Math.max(1, Math.ceil(rows.length / CATALOG_PAGE));
  catalogPage = Math.min(Math.max(catalogPage, 0), pages - 1);
  const first = catalogPage * CATALOG_PAGE;
  const body = $("catalog-body");
  body.replaceChildren();
  for (const row of rows.slice(first, first + CATALOG_PAGE)) {
    body.append(el("tr", {},
      el("td", { class: statusClass(row.status) }, row.status),
      el("td", { class: "mono" }, row.code),
      el("td", {}, row.type),
      el("td", {}, row.description),
      el("td", { class: "mono" }, (row.routes || []).join(", ")),
      el("td", {}, row.trigger || el("span", { class: "muted" }, "header or magic number only")),
      el("td", { class: "mono" }, forceHint(row))));
  }
  if (DATA.catalog_title) $("catalog-title").textContent = DATA.catalog_title;
  $("catalog-prev").disabled = catalogPage === 0;
  $("catalog-next").disabled = catalogPage >= pages - 1;
  $("catalog-count").textContent = !DATA.catalog.length ? "No error catalog is loaded."
    : rows.length ? `${first + 1}–${Math.min(first + CATALOG_PAGE, rows.length)} of ${rows.length}` +
      (rows.length < DATA.catalog.length ? ` (of ${DATA.catalog.length} rows)` : " rows")
      : `no row matches (of ${DATA.catalog.length})`;
}

// -- reference: routes, credentials, fixtures ---------------------------------------------------
function showReference() {
  $("facts").textContent = `v${DATA.version} · seed ${DATA.seed} · state ${DATA.state}`;
  for (const route of DATA.routes) {
    $("routes-body").append(el("tr", {},
      el("td", { class: "method" }, route.method), el("td", { class: "mono" }, route.path),
      el("td", { class: "mono" }, route.name), el("td", {}, route.auth_label),
      el("td", {}, el("button", { type: "button", onclick: () => { openTry(route); goTo("try"); } }, "Try"))));
    $("filter-operation").append(el("option", { value: route.name }, route.name));
  }
  for (const entry of DATA.credentials) {
    const list = el("ul", {});
    for (const line of entry.lines) list.append(el("li", { class: "mono" }, line));
    $("credentials-body").append(el("h3", {}, entry.title), el("p", { class: "muted" }, entry.note), list);
  }
  for (const [kind, count] of Object.entries(DATA.fixtures)) {
    $("fixtures-body").append(el("li", {}, el("span", { class: "mono" }, kind), `: ${count}`));
  }
}

// -- start -------------------------------------------------------------------------------------
function start() {
  showReference();
  startTry();
  showCatalog();
  onTab.journal = refreshJournal;
  onTab.scenarios = refreshScenarios;
  onTab["session-panel"] = refreshSession;
  for (const link of document.querySelectorAll("#tabs a")) {
    link.addEventListener("click", (event) => { event.preventDefault(); goTo(link.dataset.tab); });
  }
  window.addEventListener("hashchange", () => showTab(location.hash.slice(1)));
  $("notice-close").addEventListener("click", clearError);
  $("journal-filters").addEventListener("submit", (event) => { event.preventDefault(); restartJournal(); refreshJournal(); });
  $("filter-operation").addEventListener("change", () => { restartJournal(); refreshJournal(); });
  $("clear-journal").addEventListener("click", clearJournal);
  $("deactivate").addEventListener("click", deactivate);
  $("scenario-filter").addEventListener("input", showScenarios);
  $("reset-state").addEventListener("click", () => { restartJournal(); sessionAction("POST", "/reset", "session state reset"); });
  $("end-chaos").addEventListener("click", () => sessionAction("DELETE", "/chaos", "chaos ended"));
  $("catalog-filter").addEventListener("input", () => { catalogPage = 0; showCatalog(); });
  $("catalog-prev").addEventListener("click", () => { catalogPage -= 1; showCatalog(); });
  $("catalog-next").addEventListener("click", () => { catalogPage += 1; showCatalog(); });
  $("session").addEventListener("change", () => { restartJournal(); showTab(currentTab); });
  showTab(location.hash.slice(1));
  setInterval(() => {
    if (document.hidden) return;
    if (currentTab === "journal" && !$("pause").checked) refreshJournal();
    if (currentTab === "session-panel") refreshSession();
  }, 2000);
}

start();

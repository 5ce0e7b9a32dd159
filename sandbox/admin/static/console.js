"use strict";
// The sandbox console: everything it shows comes from the embedded data (routes, credentials,
// catalog, fixtures) or from the admin API of the sandbox that served it (scenarios, journal).
const DATA = JSON.parse(document.getElementById("sandbox-data").textContent);
const ADMIN = DATA.admin;
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function statusClass(status) { return "s" + String(status)[0]; }

function sessionHeaders() {
  const session = $("session").value.trim();
  return session ? { "X-Sandbox-Session": session } : {};
}

async function admin(method, path, body) {
  const headers = sessionHeaders();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(ADMIN + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch (e) { /* not JSON: keep the text */ }
  return { status: response.status, json, text };
}

// -- facts, routes and "try it" ----------------------------------------------------------------
function showFacts() {
  $("facts").textContent = `v${DATA.version} · seed ${DATA.seed} · state ${DATA.state} · ` +
    DATA.families.map((f) => `${f.title} ${f.where}`).join(" · ");
}

function examplePath(path) {
  return path.replace(/\{(\w+)\}/g, (all, name) => DATA.path_examples[name] || all);
}

function showRoutes() {
  const body = $("routes-body");
  for (const route of DATA.routes) {
    body.append(el("tr", {},
      el("td", { class: "method" }, route.method),
      el("td", { class: "mono" }, route.path),
      el("td", { class: "mono" }, route.name),
      el("td", {}, route.family),
      el("td", {}, route.auth_label),
      el("td", {}, route.summary),
      el("td", {}, el("button", { onclick: () => openTry(route) }, "Try"))));
  }
}

function openTry(route) {
  $("try").hidden = false;
  $("try-name").textContent = route.name;
  $("try-method").value = route.method;
  $("try-path").value = examplePath(route.path);
  const headers = Object.assign({}, route.headers);
  if (route.method !== "GET") headers["Content-Type"] = "application/json";
  $("try-headers").value = JSON.stringify(headers, null, 2);
  $("try-body").value = route.request_example === null ? "" : JSON.stringify(route.request_example, null, 2);
  $("try-answer").textContent = "";
  $("try").scrollIntoView({ behavior: "smooth" });
}

async function sendTry() {
  const answer = $("try-answer");
  let headers;
  try { headers = JSON.parse($("try-headers").value || "{}"); }
  catch (e) { answer.textContent = "Headers are not valid JSON: " + e.message; return; }
  Object.assign(headers, sessionHeaders());
  const method = $("try-method").value;
  const init = { method, headers };
  if (method !== "GET" && $("try-body").value.trim()) init.body = $("try-body").value;
  const started = performance.now();
  try {
    const response = await fetch($("try-path").value, init);
    const text = await response.text();
    let shown = text;
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* raw text */ }
    answer.textContent = `${response.status} ${response.statusText}  ` +
      `(${Math.round(performance.now() - started)} ms, answered by ` +
      `${response.headers.get("X-Sandbox-Answered-By") || "?"})\n\n${shown}`;
  } catch (e) {
    answer.textContent = "Request failed: " + e.message;
  }
  refreshJournal();
}

// -- credentials -------------------------------------------------------------------------------
function showCredentials() {
  const box = $("credentials-body");
  for (const entry of DATA.credentials) {
    const list = el("ul", {});
    for (const line of entry.lines) list.append(el("li", { class: "mono" }, line));
    box.append(el("h3", {}, entry.title), el("p", { class: "muted" }, entry.note), list);
  }
}

// -- scenarios ---------------------------------------------------------------------------------
async function refreshScenarios() {
  const body = $("scenarios-body");
  let answer;
  try { answer = await admin("GET", "/scenarios"); } catch (e) { answer = { status: 0 }; }
  body.replaceChildren();
  if (answer.status !== 200 || !answer.json) {
    body.append(el("tr", {}, el("td", { colspan: 6, class: "muted" },
      "No scenario engine answers GET " + ADMIN + "/scenarios.")));
    $("active-scenario").textContent = "none";
    return;
  }
  $("active-scenario").textContent = answer.json.active || "none";
  const scenarios = answer.json.scenarios || [];
  if (!scenarios.length) {
    body.append(el("tr", {}, el("td", { colspan: 6, class: "muted" }, "No scenarios loaded.")));
  }
  for (const s of scenarios) {
    body.append(el("tr", {},
      el("td", { class: "mono" }, s.name),
      el("td", { class: "mono" }, (s.routes || []).join(", ")),
      el("td", {}, s.status === null || s.status === undefined ? "-" : s.status),
      el("td", {}, s.answers || ""),
      el("td", {}, s.description || ""),
      el("td", {}, el("button", { onclick: () => activate(s.name) },
        s.active ? "Active" : "Activate"))));
  }
}

async function activate(name) {
  const answer = await admin("PUT", "/scenarios/active", { name });
  if (answer.status !== 200) alert(answer.json ? answer.json.message : answer.text);
  refreshScenarios();
}

async function deactivate() {
  await admin("DELETE", "/scenarios/active");
  refreshScenarios();
}

// -- catalog -----------------------------------------------------------------------------------
function forceHint(row) {
  const header = "X-Sandbox-Error: " + row.code;
  return /^\d{5}$/.test(row.code) ? header + "  or id 999" + row.code : header;
}

function showCatalog() {
  const filter = $("catalog-filter").value.trim().toLowerCase();
  const body = $("catalog-body");
  body.replaceChildren();
  let shown = 0;
  for (const row of DATA.catalog) {
    const text = [row.status, row.code, row.type, row.description, (row.routes || []).join(" "),
      row.trigger || ""].join(" ").toLowerCase();
    if (filter && !text.includes(filter)) continue;
    shown += 1;
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
  $("catalog-count").textContent = DATA.catalog.length
    ? `${shown} of ${DATA.catalog.length} rows` : "No error catalog is loaded.";
}

// -- fixtures ----------------------------------------------------------------------------------
function showFixtures() {
  const list = $("fixtures-body");
  for (const [kind, count] of Object.entries(DATA.fixtures)) {
    list.append(el("li", {}, el("span", { class: "mono" }, kind), `: ${count}`));
  }
}

// -- journal -----------------------------------------------------------------------------------
const expanded = new Set();

async function refreshJournal() {
  let answer;
  try { answer = await admin("GET", "/requests"); } catch (e) { answer = { status: 0 }; }
  if (answer.status !== 200 || !answer.json) {
    $("journal-status").textContent = "journal unavailable";
    return;
  }
  $("journal-status").textContent = `updated ${new Date().toLocaleTimeString()}`;
  const body = $("journal-body");
  body.replaceChildren();
  for (const entry of answer.json.requests || []) {
    const id = entry.id;
    body.append(el("tr", { class: "clickable", onclick: () => toggle(id) },
      el("td", {}, entry.time),
      el("td", { class: "method" }, entry.method),
      el("td", { class: "mono" }, entry.path),
      el("td", { class: statusClass(entry.status) }, entry.status),
      el("td", { class: "mono" }, entry.answered_by),
      el("td", {}, entry.duration_ms)));
    if (expanded.has(id)) {
      const detail = { query: entry.query, headers: entry.headers, body: entry.body };
      body.append(el("tr", { class: "detail" },
        el("td", { colspan: 6 }, el("pre", {}, JSON.stringify(detail, null, 2)))));
    }
  }
}

function toggle(id) {
  if (expanded.has(id)) expanded.delete(id); else expanded.add(id);
  refreshJournal();
}

async function clearJournal() { await admin("DELETE", "/requests"); refreshJournal(); }

async function resetState() {
  const answer = await admin("POST", "/reset");
  $("journal-status").textContent = answer.status === 200 ? "session state reset" : answer.text;
  refreshJournal();
}

function poll() {
  if (!$("pause").checked && !document.hidden) refreshJournal();
}

// -- start -------------------------------------------------------------------------------------
showFacts();
showRoutes();
showCredentials();
showCatalog();
showFixtures();
refreshScenarios();
refreshJournal();
$("try-send").addEventListener("click", sendTry);
$("deactivate").addEventListener("click", deactivate);
$("catalog-filter").addEventListener("input", showCatalog);
$("clear-journal").addEventListener("click", clearJournal);
$("reset-state").addEventListener("click", resetState);
$("session").addEventListener("change", () => { refreshScenarios(); refreshJournal(); });
setInterval(poll, 2000);

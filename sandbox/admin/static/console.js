"use strict";
// The sandbox console, part 1: the page's plumbing (admin calls, the admin token, notices, tabs)
// and the Try tab. What it shows comes from the embedded data (routes, credentials, catalog,
// fixtures), the app's own openapi.json (query parameters) and the admin API (console-live.js).
const DATA = JSON.parse(document.getElementById("sandbox-data").textContent);
const ADMIN = DATA.admin;
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined) node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function statusClass(status) { return "s" + String(status)[0]; }
function pretty(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
}

// -- notices: every error is shown in the page, never in an alert() ---------------------------
function showError(message) {
  $("notice-text").textContent = message;
  $("notice").hidden = false;
}
function clearError() { $("notice").hidden = true; }
function failed(what, answer) {
  const said = answer.json && answer.json.message ? answer.json.message : answer.text;
  showError(`${what}: ${answer.status || "no answer"} ${said || ""}`.trim());
}

// -- the admin API, with the admin token asked for once and kept in page memory ----------------
let adminToken = null;
let asking = null;      // the pending token prompt, shared by every call that met a 401
let declined = false;   // the user cancelled the prompt: do not ask again until a reload

function askToken(refused) {
  if (asking) return asking;
  asking = new Promise((resolve, reject) => {
    const form = $("token-form");
    $("token-why").firstChild.textContent = refused
      ? "The admin API refused that token: enter the right one (kept in this page only, sent as "
      : "This sandbox protects its admin API: enter its admin token (kept in this page only, sent as ";
    form.hidden = false;
    $("token-input").value = "";
    $("token-input").focus();
    const done = (token) => {
      form.hidden = true;
      form.onsubmit = null;
      asking = null;
      if (token === null) { declined = true; reject(new Error("no admin token given")); }
      else { adminToken = token; resolve(); }
    };
    form.onsubmit = (event) => { event.preventDefault(); done($("token-input").value.trim()); };
    $("token-cancel").onclick = () => done(null);
  });
  return asking;
}

function sessionName() { return $("session").value.trim(); }
function sessionHeaders() { return sessionName() ? { "X-Sandbox-Session": sessionName() } : {}; }

async function admin(method, path, body) {
  // Writes always carry a JSON body: the admin API's CSRF rule (sandbox/admin/routes.py).
  const write = method !== "GET" && method !== "HEAD";
  for (let attempt = 0; ; attempt += 1) {
    const headers = sessionHeaders();
    if (adminToken !== null) headers["X-Sandbox-Admin-Token"] = adminToken;
    if (write) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(ADMIN + path, {
        method, headers, body: write ? JSON.stringify(body === undefined ? {} : body) : undefined });
    } catch (e) {
      return { status: 0, ok: false, json: null, text: e.message };
    }
    if (response.status === 401 && !declined && attempt < 3) {
      try { await askToken(adminToken !== null); continue; } catch (e) { /* cancelled */ }
    }
    const text = await response.text();
    let json = null;
    try { json = JSON.parse(text); } catch (e) { /* not JSON: keep the text */ }
    return { status: response.status, ok: response.ok, json, text };
  }
}

// -- tabs --------------------------------------------------------------------------------------
const TABS = Array.from(document.querySelectorAll("#tabs a"), (a) => a.dataset.tab);
const onTab = {};   // tab name -> what to refresh when it is shown (console-live.js)
let currentTab = "try";

function showTab(name) {
  currentTab = TABS.includes(name) ? name : "try";
  for (const link of document.querySelectorAll("#tabs a")) {
    const selected = link.dataset.tab === currentTab;
    link.setAttribute("aria-selected", String(selected));
    $(link.dataset.tab).hidden = !selected;
  }
  if (onTab[currentTab]) onTab[currentTab]();
}

function goTo(name) {
  history.replaceState(null, "", "#" + name);
  showTab(name);
}

// -- Try: a route's request, its parameters as fields --------------------------------------------
const DECLARED = {};   // operation -> query parameters openapi.json declares for it
let tryRoute = null;
let tryEdited = false;   // the user has changed a field since the route was opened

async function loadDeclaredParameters() {
  const answer = await admin("GET", "/openapi.json");   // behind the admin token where one is set
  const doc = answer.ok && answer.json ? answer.json : {};
  const shared = (doc.components && doc.components.parameters) || {};
  const resolve = (p) => (p.$ref ? shared[p.$ref.split("/").pop()] || {} : p);
  for (const item of Object.values(doc.paths || {})) {
    for (const operation of Object.values(item)) {
      const query = (operation.parameters || []).map(resolve).filter((p) => p.in === "query");
      if (operation.operationId && query.length) DECLARED[operation.operationId] = query;
    }
  }
  // Declarations arriving late lay the open route out again, unless the user has begun editing.
  if (tryRoute && DECLARED[tryRoute.name] && !tryEdited) openTry(tryRoute);
}

function exampleOf(parameter) {
  const schema = parameter.schema || {};
  if (parameter.example !== undefined) return String(parameter.example);
  if (schema.example !== undefined) return String(schema.example);
  const named = Object.values(parameter.examples || {})[0];
  return named && named.value !== undefined ? String(named.value) : "";
}

// The seed's query example fills the fields; the other declared parameters are offered empty
// (an empty field is not sent), a required one with its declared example.
function queryFields(route) {
  const example = Object.fromEntries(route.query.map((q) => [q.name, q.example]));
  const declared = DECLARED[route.name] || [];
  const fields = declared.map((p) => ({
    name: p.name, hint: exampleOf(p), required: !!p.required,
    value: p.name in example ? example[p.name] : (p.required ? exampleOf(p) : "") }));
  for (const q of route.query) {
    if (!declared.some((p) => p.name === q.name)) fields.push({ name: q.name, value: q.example, hint: q.example });
  }
  return fields;
}

function pairRow(container, kind, name, value, hint) {
  const row = el("div", { class: "pair" },
    el("input", { class: "pair-name", value: name, placeholder: kind + " name", "aria-label": kind + " name" }),
    el("input", { class: "pair-value", value, placeholder: hint || "value", "aria-label": name || kind + " value" }),
    el("button", { type: "button", class: "remove", "aria-label": "remove " + (name || kind),
      onclick: () => { row.remove(); showUrl(); } }, "×"));
  container.append(row);
  return row;
}

function pairs(container) {
  return Array.from(container.querySelectorAll(".pair"), (row) => [
    row.querySelector(".pair-name").value.trim(), row.querySelector(".pair-value").value, row])
    .filter(([name]) => name);
}

function openTry(route) {
  tryRoute = route;
  tryEdited = false;
  $("try-route").value = route.name;
  $("try-summary").textContent = `${route.summary} · ${route.auth_label} · success ${route.success_status}`;
  $("try-method").value = route.method;
  const params = $("try-path-params");
  params.replaceChildren();
  for (const [, name] of route.path.matchAll(/\{(\w+)\}/g)) {
    params.append(el("label", {}, name + " ",
      el("input", { "data-name": name, value: DATA.path_examples[name] || "", "aria-label": name })));
  }
  $("try-path-box").hidden = !params.children.length;
  $("try-query").replaceChildren();
  for (const field of queryFields(route)) pairRow($("try-query"), "parameter", field.name, field.value, field.hint);
  $("try-headers").replaceChildren();
  const headers = Object.assign({}, route.headers);
  if (route.request_example !== null) headers["Content-Type"] = "application/json";
  for (const [name, value] of Object.entries(headers)) {
    const secret = value === DATA.hidden;   // a configured secret is never shown: type it in
    const row = pairRow($("try-headers"), "header", name, secret ? "" : value,
      secret ? "configured secret (not shown): type it" : "");
    if (secret) row.classList.add("needs");
  }
  $("try-body").value = route.request_example === null ? "" : JSON.stringify(route.request_example, null, 2);
  $("try-body-box").hidden = route.method === "GET" && route.request_example === null;
  $("try-response").hidden = true;
  $("try-curl-text").hidden = true;
  showUrl();
}

function tryPath() {
  let path = tryRoute ? tryRoute.path : "/";
  for (const input of $("try-path-params").querySelectorAll("input")) {
    path = path.replace("{" + input.dataset.name + "}", encodeURIComponent(input.value));
  }
  const query = new URLSearchParams();
  for (const [name, value] of pairs($("try-query"))) if (value !== "") query.append(name, value);
  return query.toString() ? path + "?" + query : path;
}

function showUrl() { $("try-url").textContent = `${$("try-method").value} ${tryPath()}`; }

function tryRequest() {
  const headers = {};
  for (const [name, value, row] of pairs($("try-headers"))) {
    if (value === "" && row.classList.contains("needs")) {
      return { error: `${name}: the configured secret is not shown in the console; type it in the header's field` };
    }
    if (value !== "") headers[name] = value;
  }
  Object.assign(headers, sessionHeaders());
  const method = $("try-method").value;
  const body = method !== "GET" && $("try-body").value.trim() ? $("try-body").value : undefined;
  return { method, path: tryPath(), headers, body };
}

async function sendTry() {
  clearError();
  const request = tryRequest();
  if (request.error) { showError(request.error); return; }
  const started = performance.now();
  let response;
  try {
    response = await fetch(request.path, { method: request.method, headers: request.headers, body: request.body });
  } catch (e) {
    showError(`${request.method} ${request.path} was not sent: ${e.message}`);
    return;
  }
  const text = await response.text();
  const status = $("try-status");
  status.textContent = `${response.status} ${response.statusText}`;
  status.className = statusClass(response.status);
  status.dataset.status = response.status;
  $("try-meta").textContent = `${Math.round(performance.now() - started)} ms · answered by ` +
    `${response.headers.get("X-Sandbox-Answered-By") || "?"} · ${request.method} ${request.path}`;
  $("try-response-headers").textContent = Array.from(response.headers, ([n, v]) => `${n}: ${v}`).join("\n");
  $("try-response-body").textContent = pretty(text);
  $("try-response").hidden = false;
  $("try-response").scrollIntoView({ block: "nearest" });
}

// -- copy as curl ------------------------------------------------------------------------------
function shellQuote(text) { return "'" + String(text).replace(/'/g, "'\\''") + "'"; }

function curlOf(request) {
  const words = ["curl -sS"];
  if (request.method !== "GET") words.push("-X " + request.method);
  words.push(shellQuote(location.origin + request.path));
  for (const [name, value] of Object.entries(request.headers)) words.push("-H " + shellQuote(`${name}: ${value}`));
  if (request.body !== undefined) words.push("--data-raw " + shellQuote(request.body));
  return words.join(" \\\n  ");
}

async function copyCurlCommand() {
  clearError();
  const request = tryRequest();
  if (request.error) { showError(request.error); return; }
  const text = curlOf(request);
  const shown = $("try-curl-text");
  shown.textContent = text;
  shown.hidden = false;
  try { await navigator.clipboard.writeText(text); $("try-curl").textContent = "Copied"; }
  catch (e) { $("try-curl").textContent = "Select it to copy"; }
  setTimeout(() => { $("try-curl").textContent = "Copy as curl"; }, 2000);
}

function startTry() {
  const select = $("try-route");
  for (const family of DATA.families) {
    const group = el("optgroup", { label: family.title });
    for (const route of DATA.routes.filter((r) => r.family === family.name)) {
      group.append(el("option", { value: route.name }, `${route.method} ${route.name}`));
    }
    select.append(group);
  }
  const byName = (name) => DATA.routes.find((r) => r.name === name);
  select.addEventListener("change", () => openTry(byName(select.value)));
  $("try").addEventListener("input", (event) => {
    if (event.target !== $("try-route")) tryEdited = true;
    showUrl();
  });
  $("try-method").addEventListener("change", showUrl);
  $("try-add-query").addEventListener("click", () => pairRow($("try-query"), "parameter", "", ""));
  $("try-add-header").addEventListener("click", () => pairRow($("try-headers"), "header", "", ""));
  $("try-send").addEventListener("click", sendTry);
  $("try-curl").addEventListener("click", copyCurlCommand);
  $("try-example").addEventListener("click", () => openTry(tryRoute));
  if (DATA.routes.length) openTry(DATA.routes[0]);
  loadDeclaredParameters();
}

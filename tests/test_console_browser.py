"""The console (GET /__sandbox/) in a real browser: Debian's chromium driven by Selenium, against
a real server on a free loopback port. One browser for the module; every test its own session."""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid

import pytest
import requests

from sandbox import create_app
from tests.conftest import LiveServer, make_config

selenium = pytest.importorskip("selenium", reason="pip install -e '.[test]' (selenium)")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    NoAlertPresentException, NoSuchElementException, StaleElementReferenceException)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,900")
CONFIGURED_SECRET = "configured-bcs-secret-7f3a"

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs chromium and chromedriver (.ci/run installs them)")
        pytest.skip("no chromium/chromedriver: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    profile = tempfile.mkdtemp(prefix="console-chromium-")
    options.add_argument("--user-data-dir=" + profile)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(autouse=True)
def no_script_errors(browser):
    """No test may leave an uncaught error in the page's script."""
    browser.get_log("browser")
    yield
    errors = [entry["message"] for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]]
    assert not errors, errors


@pytest.fixture(scope="module")
def server():
    app = create_app(make_config())
    with LiveServer(app) as live:
        live.sandbox = app.extensions["sandbox"]
        yield live


def wait(driver, condition, timeout: float = 8):
    # A stale element: the page drew that part anew meanwhile; look again.
    return WebDriverWait(driver, timeout, ignored_exceptions=(
        NoSuchElementException, StaleElementReferenceException)).until(lambda d: condition())


def open_console(driver, url: str, session: str, tab: str = "try"):
    # A fresh page: a URL that differs only in its #tab would not load it anew.
    driver.get("about:blank")
    driver.get(f"{url}/__sandbox/#{tab}")
    box = driver.find_element(By.ID, "session")
    box.clear()
    box.send_keys(session)
    driver.execute_script("arguments[0].dispatchEvent(new Event('change'))", box)
    return driver


def shown(driver, element_id: str) -> bool:
    return driver.find_element(By.ID, element_id).is_displayed()


def send_try(driver, operation: str) -> str:
    Select(driver.find_element(By.ID, "try-route")).select_by_value(operation)
    assert not shown(driver, "try-response")
    driver.find_element(By.ID, "try-send").click()
    wait(driver, lambda: shown(driver, "try-response"))
    return driver.find_element(By.ID, "try-status").get_attribute("data-status")


def no_alert(driver) -> bool:
    try:
        driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


def journal_of(server, session: str) -> list:
    return requests.get(server.url + "/__sandbox/requests", timeout=5,
                        headers={"X-Sandbox-Session": session}).json()["requests"]


def test_try_answers_every_route_with_its_seed_example(browser, server):
    """All 16 routes (3 core/cooperative + 13 BCS), each with the seed example the page fills
    in (path and query parameters, credentials, body): the seed's success status."""
    session = "try-" + uuid.uuid4().hex[:8]
    open_console(browser, server.url, session)
    operations = sorted(server.sandbox.operations.values(), key=lambda op: op.name)
    assert len(operations) == 16
    answered = {}
    for op in operations:
        answered[op.name] = (send_try(browser, op.name), str(op.meta.get("success_status", 200)),
                             browser.find_element(By.ID, "try-meta").text)
    wrong = {name: got for name, got in answered.items() if got[0] != got[1]}
    assert not wrong, wrong
    # What the page sent is what the server journaled, under the page's session.
    sent = journal_of(server, session)
    assert len(sent) == 16 and {entry["status"] for entry in sent} <= {200, 201}
    v4 = next(e for e in sent if e["path"].endswith("/v4/basicData"))
    assert v4["query"] == {"govIssueIdentType": "CC", "identSerialNum": "1234567890"}
    # The answer's headers are shown, and the curl the page builds names the same request.
    headers = browser.find_element(By.ID, "try-response-headers").get_attribute("textContent")
    assert "x-sandbox-answered-by: route" in headers.lower()
    browser.find_element(By.ID, "try-curl").click()
    curl = browser.find_element(By.ID, "try-curl-text").get_attribute("textContent")
    assert curl.startswith("curl -sS") and server.url in curl and "X-Sandbox-Session: " + session in curl
    assert no_alert(browser)


def test_try_sends_what_the_fields_say(browser, server):
    session = "fields-" + uuid.uuid4().hex[:8]
    open_console(browser, server.url, session)
    Select(browser.find_element(By.ID, "try-route")).select_by_value("basic_data_v1")
    value = browser.find_element(By.CSS_SELECTOR, "#try-query .pair-value")
    value.clear()
    value.send_keys("CC52345678")
    assert "mnemonic=CC52345678" in browser.find_element(By.ID, "try-url").text
    browser.find_element(By.ID, "try-send").click()
    wait(browser, lambda: shown(browser, "try-response"))
    body = browser.find_element(By.ID, "try-response-body").get_attribute("textContent")
    assert "52345678" in body and "1234567890" not in body
    assert journal_of(server, session)[0]["query"] == {"mnemonic": "CC52345678"}
    # openapi.json declares v4's query parameters: the page offers a field for each, and
    # fills only the seed's.
    declared = declared_query(server, "basic_data_v4")
    assert {"govIssueIdentType", "identSerialNum", "cellphone"} <= set(declared)
    Select(browser.find_element(By.ID, "try-route")).select_by_value("basic_data_v4")
    fields = lambda: {  # noqa: E731
        row.find_element(By.CSS_SELECTOR, ".pair-name").get_attribute("value"):
        row.find_element(By.CSS_SELECTOR, ".pair-value").get_attribute("value")
        for row in browser.find_elements(By.CSS_SELECTOR, "#try-query .pair")}
    wait(browser, lambda: set(declared) <= set(fields()))   # openapi.json is read after start
    fields = fields()
    assert {"govIssueIdentType": "CC", "identSerialNum": "1234567890"}.items() <= fields.items()
    assert all(fields[name] == "" for name in set(fields) - {"govIssueIdentType", "identSerialNum"}
               if not declared.get(name))


def declared_query(server, operation: str) -> dict:
    """The query parameters openapi.json declares for an operation: name -> required."""
    document = requests.get(server.url + "/__sandbox/openapi.json", timeout=5).json()
    shared = document.get("components", {}).get("parameters", {})
    for item in document["paths"].values():
        for declared in item.values():
            if declared.get("operationId") == operation:
                parameters = [shared.get(p["$ref"].rsplit("/", 1)[-1], {}) if "$ref" in p else p
                              for p in declared.get("parameters", [])]
                return {p["name"]: bool(p.get("required")) for p in parameters
                        if p.get("in") == "query"}
    return {}


def test_the_journal_filters_and_shows_the_response(browser, server):
    session = "journal-" + uuid.uuid4().hex[:8]
    open_console(browser, server.url, session)
    for operation in ("cliente", "core_customer", "cliente"):
        send_try(browser, operation)
    browser.find_element(By.CSS_SELECTOR, '#tabs a[data-tab="journal"]').click()
    rows = lambda: browser.find_elements(By.CSS_SELECTOR, "#journal-body tr.clickable")  # noqa: E731
    wait(browser, lambda: len(rows()) == 3)
    Select(browser.find_element(By.ID, "filter-operation")).select_by_value("core_customer")
    wait(browser, lambda: len(rows()) == 1)
    assert "POST /core_customer" in rows()[0].text and "201" in rows()[0].text
    status = browser.find_element(By.ID, "filter-status")
    status.send_keys("200")
    browser.find_element(By.CSS_SELECTOR, "#journal-filters button[type=submit]").click()
    wait(browser, lambda: browser.find_element(By.ID, "journal-status").text.startswith("0 shown"))
    Select(browser.find_element(By.ID, "filter-operation")).select_by_value("cliente")
    wait(browser, lambda: len(rows()) == 2)
    # Polling adds what is new without a reload, under the filters.
    requests.post(server.url + "/cliente", json={"tipo_doc": "x"}, timeout=5,
                  headers={"X-Sandbox-Session": session})
    requests.post(server.url + "/cliente", timeout=5, headers={"X-Sandbox-Session": session},
                  json=server.sandbox.operations["cliente"].meta["request_example"])
    wait(browser, lambda: len(rows()) == 3)
    assert journal_of(server, session)[0]["response"]["status"] == 200
    assert rows()[0].find_element(By.CSS_SELECTOR, "td.response").text.startswith("200")
    rows()[0].click()
    detail = browser.find_element(By.CSS_SELECTOR, "#journal-body tr.detail pre").text
    assert '"query"' in detail and '"headers"' in detail


def test_the_catalog_is_searched_and_paged(browser, server):
    open_console(browser, server.url, "catalog", tab="catalog")
    total = len(server.sandbox.catalog.rows)
    rows = lambda: browser.find_elements(By.CSS_SELECTOR, "#catalog-body tr")  # noqa: E731
    assert total > 100 and len(rows()) == 25
    assert browser.find_element(By.ID, "catalog-count").text == f"1–25 of {total} rows"
    browser.find_element(By.ID, "catalog-next").click()
    assert browser.find_element(By.ID, "catalog-count").text.startswith("26–50")
    browser.find_element(By.ID, "catalog-filter").send_keys("50628")
    wanted = [row for row in server.sandbox.catalog.rows if "50628" in " ".join(
        str(row.get(key) or "") for key in ("status", "code", "type", "description", "trigger"))
        or "50628" in " ".join(row.get("routes") or ())]
    assert 1 <= len(rows()) == min(len(wanted), 25)
    assert all("50628" in row.text for row in rows())


def test_errors_are_shown_in_the_page(browser, server):
    open_console(browser, server.url, "errors", tab="journal")
    limit = browser.find_element(By.ID, "filter-limit")
    limit.clear()
    limit.send_keys("lots")
    browser.find_element(By.CSS_SELECTOR, "#journal-filters button[type=submit]").click()
    wait(browser, lambda: shown(browser, "notice"))
    assert "limit" in browser.find_element(By.ID, "notice-text").text
    assert "400" in browser.find_element(By.ID, "notice-text").text
    assert no_alert(browser)
    browser.find_element(By.ID, "notice-close").click()
    assert not shown(browser, "notice")
    # A request the browser refuses to send (a header name with a space) is shown too.
    browser.find_element(By.CSS_SELECTOR, '#tabs a[data-tab="try"]').click()
    browser.find_element(By.ID, "try-add-header").click()
    names = browser.find_elements(By.CSS_SELECTOR, "#try-headers .pair-name")
    names[-1].send_keys("Not A Header")
    browser.find_elements(By.CSS_SELECTOR, "#try-headers .pair-value")[-1].send_keys("x")
    browser.find_element(By.ID, "try-send").click()
    wait(browser, lambda: shown(browser, "notice"))
    assert "was not sent" in browser.find_element(By.ID, "notice-text").text
    assert no_alert(browser) and not shown(browser, "try-response")


def test_a_configured_secret_is_never_shown_and_is_asked_for(browser):
    app = create_app(make_config(bcs_client_secret=CONFIGURED_SECRET))
    assert "bcs_client_secret" in app.extensions["sandbox"].config.configured_secrets
    with LiveServer(app) as live:
        open_console(browser, live.url, "secret")
        assert CONFIGURED_SECRET not in browser.page_source
        Select(browser.find_element(By.ID, "try-route")).select_by_value("basic_data_v4")
        browser.find_element(By.ID, "try-send").click()
        wait(browser, lambda: shown(browser, "notice"))
        assert "X-Security-ClientSecret" in browser.find_element(By.ID, "notice-text").text
        field = browser.find_element(By.CSS_SELECTOR, "#try-headers .pair.needs .pair-value")
        field.send_keys(CONFIGURED_SECRET)
        browser.find_element(By.ID, "try-send").click()
        wait(browser, lambda: shown(browser, "try-response"))
        assert browser.find_element(By.ID, "try-status").get_attribute("data-status") == "200"


def test_the_session_tab_shows_the_active_scenario(browser, server):
    session = "story-" + uuid.uuid4().hex[:8]
    name = "create-fails-twice-then-succeeds"  # a sequence: the tab shows its step
    open_console(browser, server.url, session, tab="scenarios")
    browser.find_element(By.ID, "scenario-filter").send_keys(name)
    button = f'//tbody[@id="scenarios-body"]/tr[td[1]="{name}"]//button'
    wait(browser, lambda: clicked(browser, button))
    wait(browser, lambda: browser.find_element(By.ID, "active-scenario").text == name)
    assert answer_of(server, "/__sandbox/scenarios/active", session)["active"] == name
    browser.find_element(By.CSS_SELECTOR, '#tabs a[data-tab="session-panel"]').click()
    wait(browser, lambda: browser.find_element(By.ID, "session-active").text == name)
    active = answer_of(server, "/__sandbox/scenarios/active", session)
    assert active["step"] == 0
    assert browser.find_element(By.ID, "session-step").text.startswith("0 ")
    chaos = requests.put(server.url + "/__sandbox/chaos", json={"rate": 0.5}, timeout=5,
                         headers={"X-Sandbox-Session": session})
    assert chaos.status_code == 200, chaos.text
    wait(browser, lambda: browser.find_element(By.ID, "session-chaos").text.startswith("rate 0.5"))
    browser.find_element(By.ID, "end-chaos").click()
    wait(browser, lambda: browser.find_element(By.ID, "session-chaos").text == "none")
    assert not browser.find_element(By.ID, "end-chaos").is_enabled()
    browser.find_element(By.ID, "reset-state").click()
    wait(browser, lambda: browser.find_element(By.ID, "session-active").text == "none")
    assert answer_of(server, "/__sandbox/scenarios/active", session)["active"] is None
    assert not shown(browser, "notice")


def clicked(browser, xpath: str) -> bool:
    """Clicked, or False while the element is not there yet or was just drawn anew."""
    try:
        browser.find_element(By.XPATH, xpath).click()
    except (NoSuchElementException, StaleElementReferenceException):
        return False
    return True


def answer_of(server, path: str, session: str) -> dict:
    return requests.get(server.url + path, headers={"X-Sandbox-Session": session}, timeout=5).json()


TABS = ("try", "journal", "scenarios", "session-panel", "catalog", "reference")


def page_size(browser, tab: str):
    browser.find_element(By.CSS_SELECTOR, f'#tabs a[data-tab="{tab}"]').click()
    return browser.execute_script("const d = document.documentElement;"
                                  " return [window.innerWidth, d.scrollWidth, d.scrollHeight];")


def test_the_page_fits_a_phone_and_stays_short(browser, server):
    """With a full journal too: 300 requests in the session."""
    session = "phone-" + uuid.uuid4().hex[:8]
    with requests.Session() as http:
        example = server.sandbox.operations["cliente"].meta["request_example"]
        for _ in range(300):
            http.post(server.url + "/cliente", json=example, headers={"X-Sandbox-Session": session})
    open_console(browser, server.url, session, tab="journal")
    wait(browser, lambda: "shown" in browser.find_element(By.ID, "journal-status").text)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#journal-body tr.clickable")) <= 200
    for tab in TABS:
        assert page_size(browser, tab)[2] < 2000, tab
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True})
    try:
        for tab in TABS:
            width, scroll_width, height = page_size(browser, tab)
            assert width == 360 and scroll_width <= width, (tab, scroll_width)
            assert height < 4000, (tab, height)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_admin_token_is_asked_for_once_and_kept(browser):
    token = "team-token-" + uuid.uuid4().hex[:6]
    with LiveServer(create_app(make_config(admin_token=token))) as live:
        open_console(browser, live.url, "token", tab="journal")
        wait(browser, lambda: shown(browser, "token-form"))
        browser.find_element(By.ID, "token-input").send_keys("not-" + token)
        browser.find_element(By.ID, "token-save").click()
        wait(browser, lambda: "refused" in browser.find_element(By.ID, "token-why").text)
        browser.find_element(By.ID, "token-input").send_keys(token)
        browser.find_element(By.ID, "token-save").click()
        wait(browser, lambda: "shown" in browser.find_element(By.ID, "journal-status").text)
        # Every admin call after carries it: the session tab reads two routes, reset writes.
        browser.find_element(By.CSS_SELECTOR, '#tabs a[data-tab="session-panel"]').click()
        wait(browser, lambda: browser.find_element(By.ID, "session-active").text == "none")
        browser.find_element(By.ID, "reset-state").click()
        wait(browser, lambda: browser.find_element(By.ID, "session-status").text == "session state reset")
        assert not shown(browser, "token-form") and not shown(browser, "notice")
        assert token not in browser.page_source


def test_a_journal_read_that_missed_a_worker_says_so_and_reads_it_all_again(browser):
    # With --workers, a worker that does not answer a read is named in `skipped_workers`: here
    # the journal leaves one out for a while, as a stopped sibling would.
    app = create_app(make_config())
    journal = app.extensions["sandbox"].journal
    entries, missing = journal.entries, {"on": True}

    def entries_missing_a_worker(session, match=None, limit=None, skipped=None):
        if missing["on"] and skipped is not None:
            skipped.append({"worker": 1, "problem": "did not answer within 5 s"})
        return entries(session, match, limit, skipped)
    journal.entries = entries_missing_a_worker
    session = "skipped-" + uuid.uuid4().hex[:8]
    with LiveServer(app) as live:
        example = app.extensions["sandbox"].operations["cliente"].meta["request_example"]
        for _ in range(2):
            requests.post(live.url + "/cliente", json=example, timeout=5,
                          headers={"X-Sandbox-Session": session})
        open_console(browser, live.url, session, "journal")
        status = lambda: browser.find_element(By.ID, "journal-status").text  # noqa: E731
        rows = lambda: browser.find_elements(By.CSS_SELECTOR, "#journal-body tr.clickable")  # noqa: E731
        wait(browser, lambda: "incomplete: worker 1 did not answer within 5 s" in status())
        missing["on"] = False  # the worker answers again: the whole journal, once, no warning
        wait(browser, lambda: "incomplete" not in status() and len(rows()) == 2, timeout=15)

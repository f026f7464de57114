"""The anonymous channel in a real browser: a writer without an account, the code kept, a handler who
acknowledges and asks, the writer's answer with the code, the feedback; and a signal to a leader whose task
names no writer."""
from __future__ import annotations

import pytest

from tests.web import browser as browser_support
from tests.web.anonymous_setup import HANDLER, LEADER, SECRET_TEXT, make_app, prepare

sync_api = browser_support.require_chromium()
SHOTS = browser_support.ARTIFACTS / "anonymous"
WRITER_NAME = "Mette Skrivesen"


@pytest.fixture(scope="module")
def axe_source():
    return browser_support.axe_script()


@pytest.fixture
def served(tmp_path):
    app = make_app(prepare(tmp_path), SESSION_COOKIE_SECURE=False)
    with browser_support.served(app) as base:
        yield base, app.extensions["vaern"]


def write_report(browser, base: str, axe_source: str, name: str = "") -> str:
    """As a writer with no account: from the log-in page to the form, send, and keep the code."""
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="da-DK")
    page = context.new_page()
    page.goto(f"{base}/login")
    before = context.cookies()  # the log-in page's own session, for its form's token
    set_cookies = []
    page.on("response", lambda r: set_cookies.append(r.url) if "/anonym" in r.url and
            "set-cookie" in r.all_headers() else None)
    page.click("#write-anonymously")
    page.wait_for_url(f"{base}/anonym")
    browser_support.assert_accessible(page, axe_source, "the anonymous form")
    page.fill("#what", SECRET_TEXT)
    page.select_option("#act", "bullying")
    page.fill("#where", "Akutmodtagelsen")
    page.fill("#when", "flere gange i november")
    if name:
        page.fill("#name", name)
    page.click("button[type=submit]")
    code = page.inner_text("#key-code")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "code.png"), full_page=True)
    browser_support.assert_accessible(page, axe_source, "the page with the code")
    assert "kan ikke" in page.inner_text("main")  # the warning that it cannot be recovered
    # Nothing the anonymous pages sent is kept in the browser: no cookie set or changed by them.
    assert context.cookies() == before and set_cookies == []
    context.close()
    return code


def open_with_code(browser, base: str, code: str):
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="da-DK")
    page = context.new_page()
    page.goto(f"{base}/anonym/henvendelse")
    page.fill("#code", code)
    page.click("button[type=submit]")
    page.wait_for_selector("#stage")
    return context, page


def complete(page, base: str, title: str, fill) -> None:
    """Open the handler's task from the inbox, fill its form and complete it."""
    page.goto(f"{base}/")
    page.click(f"text={title}")
    fill(page)
    page.click("button:has-text(\"Udfør opgaven\")")
    page.wait_for_url(f"{base}/")


def write_to_writer(page, base: str, text: str) -> None:
    page.click("#anonymous-dialogue")
    page.fill("#text", text)
    page.click("text=Send til skribenten")
    page.wait_for_selector(f"text={text}")


def test_write_keep_the_code_get_asked_answer_and_read_the_feedback(served, axe_source):
    base, vaern = served
    with browser_support.chromium(sync_api) as browser:
        code = write_report(browser, base, axe_source)
        writer, page = open_with_code(browser, base, code)
        assert "Modtaget" in page.inner_text("#stage") and page.inner_text("#acknowledge-by")
        writer.close()

        handler, hpage = browser_support.logged_in(browser, base, HANDLER, 1100)
        hpage.click("text=Bekræft modtagelsen over for skribenten")
        write_to_writer(hpage, base, "Tak, vi har modtaget din henvendelse.")
        assert SECRET_TEXT in hpage.inner_text("#report-text")
        hpage.screenshot(path=str(SHOTS / "handler.png"), full_page=True)
        browser_support.assert_accessible(hpage, axe_source, "the handler's page")
        complete(hpage, base, "Bekræft modtagelsen over for skribenten", lambda p: p.check("#receipt_confirmed"))
        complete(hpage, base, "Vurdér henvendelsen", lambda p: p.select_option("#next_step", "ask"))
        hpage.click("text=Stil skribenten et spørgsmål")
        write_to_writer(hpage, base, "Hvornår på dagen sker det?")
        complete(hpage, base, "Stil skribenten et spørgsmål", lambda p: p.select_option("#question_about", "facts"))

        writer, page = open_with_code(browser, base, code)
        assert "spørgsmål" in page.inner_text("#stage")
        assert "Hvornår på dagen sker det?" in page.inner_text("main")
        assert page.inner_text("#feedback-by")
        page.fill("#reply", "Om morgenen ved overleveringen.")
        page.click("text=Send")
        page.wait_for_selector("text=Dit svar er sendt")
        page.screenshot(path=str(SHOTS / "writer.png"), full_page=True)
        browser_support.assert_accessible(page, axe_source, "the writer's page")
        assert writer.cookies() == []  # this context only ever saw the anonymous pages
        writer.close()

        # The answer moved the case on: the handler assesses again, then gives the feedback.
        hpage.goto(f"{base}/")
        hpage.click("text=Vurdér henvendelsen")
        hpage.click("#anonymous-dialogue")
        assert "Om morgenen ved overleveringen." in hpage.inner_text("main")
        complete(hpage, base, "Vurdér henvendelsen", lambda p: p.select_option("#next_step", "feedback"))
        hpage.click("text=Giv skribenten tilbagemelding")
        write_to_writer(hpage, base, "Vi har talt med afdelingens ledelse, og der følges op.")
        complete(hpage, base, "Giv skribenten tilbagemelding", lambda p: p.select_option("#outcome", "handled"))
        handler.close()

        writer, page = open_with_code(browser, base, code)
        assert "Vi har talt med afdelingens ledelse" in page.inner_text("main")
        assert "Tilbagemelding givet" in page.inner_text("#stage")
        writer.close()


def test_a_signal_to_the_leader_names_no_writer(served, axe_source):
    base, vaern = served
    with browser_support.chromium(sync_api) as browser:
        code = write_report(browser, base, axe_source, name=WRITER_NAME)
        handler, hpage = browser_support.logged_in(browser, base, HANDLER, 1100)
        hpage.click("text=Bekræft modtagelsen over for skribenten")
        hpage.click("#anonymous-dialogue")
        assert WRITER_NAME in hpage.inner_text("main")  # the handler sees the name the writer chose to give
        hpage.select_option("#signal-unit", "afd-akut")
        hpage.fill("#signal-summary", "Signal om en hård tone ved overleveringerne i afdelingen.")
        hpage.click("text=Send signalet")
        hpage.wait_for_selector("text=uden noget om skribenten")
        handler.close()

        leader, lpage = browser_support.logged_in(browser, base, LEADER, 1100)
        lpage.click("text=Informér de ansatte om, hvor de kan henvende sig")
        shown = lpage.inner_text("body")
        lpage.screenshot(path=str(SHOTS / "leader.png"), full_page=True)
        assert "Signal om en hård tone" in lpage.content() or "Informér" in shown
        for trace in (WRITER_NAME, SECRET_TEXT, code, code.replace(" ", ""), "Akutmodtagelsen"):
            assert trace not in lpage.content(), trace
        case_link = lpage.get_attribute(".crumbs a[href^='/cases/']", "href")
        lpage.goto(f"{base}{case_link}")
        for trace in (WRITER_NAME, SECRET_TEXT, code.replace(" ", "")):
            assert trace not in lpage.content(), trace
        leader.close()

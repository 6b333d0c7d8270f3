"""Signing in and out in a real browser (Debian's headless Chromium) against the served dashboard."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

from tests.conftest import PASSWORD, screenshot, sign_in, wait

pytestmark = pytest.mark.browser


def _login_page(browser, served):
    browser.delete_all_cookies()
    browser.get(served["url"] + "/")
    wait(browser, 20).until(lambda d: d.find_elements(By.ID, "login-form"))
    return browser


def _answer_error(driver) -> str | bool:
    """The login error of a page that is not the one we submitted from, read in one script.

    One script call reads the stamp and the text together, so no element handle can go stale
    between finding and reading (Chromium's staleness checks themselves raised on a page swap).
    """
    try:
        return driver.execute_script(
            "if (document.documentElement.dataset.submitted) return false;"
            "const e = document.getElementById('login-error');"
            "return e && e.textContent.trim() ? e.textContent.trim() : false;"
        )
    except WebDriverException:  # the page was being replaced while the script ran
        return False


def _try(browser, name: str, password: str) -> str:
    """Submit the form once and return the error the answer page shows (never the last page's)."""
    browser.find_element(By.ID, "login-user").clear()
    browser.find_element(By.ID, "login-user").send_keys(name)
    browser.find_element(By.ID, "login-password").send_keys(password)
    browser.execute_script("document.documentElement.dataset.submitted = '1';")
    browser.find_element(By.ID, "login-submit").click()
    return wait(browser, 20).until(_answer_error)


def test_signing_in_and_out(served_dashboard, browser):
    try:
        _login_page(browser, served_dashboard)
        assert browser.current_url.endswith("/login")
        assert "Brugernavn" in browser.page_source and "Adgangskode" in browser.page_source
        screenshot(browser, "login")
        sign_in(browser, served_dashboard, "leder573")
        wait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#cards .kpi-card"))
        assert browser.find_element(By.ID, "whoami").text == "leder573 · Leder"
        assert "Varde" in browser.find_element(By.ID, "f-kommune").text
        assert not browser.find_elements(By.ID, "nav-revision")  # not an administrator
        cookie = browser.get_cookie("kpi_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        browser.find_element(By.ID, "logout").click()
        wait(browser, 20).until(lambda d: d.find_elements(By.ID, "logged-out"))
        assert browser.find_element(By.ID, "logged-out").text == "Du er logget ud."
        browser.get(served_dashboard["url"] + "/passive")  # signed out: back to the login page
        wait(browser, 20).until(lambda d: d.find_elements(By.ID, "login-form"))
        assert "/login" in browser.current_url
    finally:
        sign_in(browser, served_dashboard)  # the other browser tests read as an administrator


def test_a_wrong_password_fails_and_the_fifth_failure_locks_the_account(served_dashboard, browser):
    try:
        _login_page(browser, served_dashboard)
        assert _try(browser, "laast", "forkert-gæt-1") == "Forkert brugernavn eller adgangskode."
        assert "/login" in browser.current_url and not browser.find_elements(By.ID, "whoami")
        for attempt in range(2, 5):
            assert _try(browser, "laast", f"forkert-gæt-{attempt}") == "Forkert brugernavn eller adgangskode."
        assert _try(browser, "laast", "forkert-gæt-5") == "For mange forkerte forsøg: kontoen er låst i 15 minutter."
        # locked: even the right password is refused now, and the answer says why
        assert _try(browser, "laast", PASSWORD) == "For mange forkerte forsøg: kontoen er låst i 15 minutter."
        screenshot(browser, "login-locked")
        assert not browser.find_elements(By.ID, "whoami")
        # another account is not affected
        sign_in(browser, served_dashboard, "leder573")
        assert browser.find_elements(By.ID, "whoami")
    finally:
        sign_in(browser, served_dashboard)

"""The browser tests of the chat page and the widget share the fixtures of
tests/e2e/: one Chromium a test, the server with a region's page embedding the
widget, and the server on the bundled lycées consultation."""

from tests.e2e import test_browser, test_ranking_browser

browser = test_browser.browser
site = test_browser.site
lycees = test_ranking_browser.lycees

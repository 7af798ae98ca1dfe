"""The browser tests of the chat page and the widget share the fixtures of
tests/e2e/test_browser.py: one Chromium a test, and the server with a region's
page embedding the widget."""

from tests.e2e import test_browser

browser = test_browser.browser
site = test_browser.site

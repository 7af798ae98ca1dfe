"""The browser tests of the chat page and the widget share the one Chromium
fixture of tests/e2e/test_browser.py."""

from tests.e2e import test_browser

browser = test_browser.browser

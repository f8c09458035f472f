"""End-to-end tests: Playwright drives a real browser through the shop (see conftest.py)."""

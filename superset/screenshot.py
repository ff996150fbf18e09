"""Headless screenshots of Superset dashboards, with a check for error banners.

Runs in Superset's virtualenv (Playwright is in superset/requirements.txt)
and drives Debian's chromium (no browser download):

    SUPERSET_URL=… SUPERSET_USER=… SUPERSET_PASSWORD=… \\
        .venv-superset/bin/python superset/screenshot.py OUT_DIR SLUG [SLUG …]

Writes OUT_DIR/<slug>.png and prints one JSON line: per dashboard its file,
the number of charts, how many of them rendered (a canvas, table, svg or big
number), the error messages on the page and ``ok`` (charts, all rendered, no
error). Exit code 1 if any dashboard is not ok.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ERROR_SELECTORS = ".ant-alert-error, .alert-danger, .ant-result-error, [data-test='error-message'], .error-boundary"
LOADING_SELECTORS = ".loading, .ant-skeleton, [data-test='loading-indicator']"
RENDERED = "canvas, table, svg, .header-line, .big-number"
# A Markdown note sits in a chart holder too, but shows text, not a chart.
CHART_HOLDER = "[data-test='dashboard-component-chart-holder']:not([data-test='dashboard-markdown-editor'] *)"


def shoot(url: str, user: str, password: str, out_dir: Path, slugs: list[str], timeout_s: float = 90) -> list[dict]:
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        page.goto(f"{url}/login/", wait_until="networkidle")
        page.fill("#username", user)
        page.fill("#password", password)
        page.keyboard.press("Enter")
        # A slow login would send every dashboard below back to the login page.
        page.wait_for_url(lambda address: "/login" not in address, timeout=timeout_s * 1000)
        page.wait_for_load_state("networkidle")
        for slug in slugs:
            started = time.monotonic()
            try:
                page.goto(f"{url}/superset/dashboard/{slug}/?standalone=1", wait_until="networkidle",
                          timeout=timeout_s * 1000)
                page.wait_for_selector(CHART_HOLDER, timeout=timeout_s * 1000)
            except PlaywrightTimeout:
                # Named in the results, with a picture of what the page showed instead.
                path = out_dir / f"{slug}.png"
                page.screenshot(path=str(path), full_page=True)
                results.append({"slug": slug, "file": str(path), "charts": 0, "rendered": 0, "ok": False,
                                "errors": [f"no chart within {timeout_s:.0f}s (page: {page.url})"],
                                "seconds": round(time.monotonic() - started, 1)})
                continue
            total, rendered = _settle(page, timeout_s)
            # Filters chosen by default (the first value) apply once their values have loaded,
            # and the charts query again: wait for that second round too.
            time.sleep(2)
            page.wait_for_load_state("networkidle")
            total, rendered = _settle(page, timeout_s)
            page.wait_for_load_state("networkidle")
            time.sleep(1.5)  # chart animations
            path = out_dir / f"{slug}.png"
            page.screenshot(path=str(path), full_page=True)
            messages = [t.strip() for t in page.locator(ERROR_SELECTORS).all_inner_texts() if t.strip()]
            if page.locator(ERROR_SELECTORS).count() and not messages:
                messages = ["an error banner without text"]
            results.append({"slug": slug, "file": str(path), "charts": total, "rendered": rendered,
                            "errors": messages, "ok": not messages and 0 < total == rendered,
                            "seconds": round(time.monotonic() - started, 1)})
        browser.close()
    return results


def _settle(page, timeout_s: float) -> tuple[int, int]:
    """Wait until every chart shows something (or an error shows) and nothing loads; (charts, rendered)."""
    deadline = time.monotonic() + timeout_s
    while True:
        holders = page.locator(CHART_HOLDER)
        total = holders.count()
        rendered = sum(1 for i in range(total) if holders.nth(i).locator(RENDERED).count() > 0)
        busy = page.locator(LOADING_SELECTORS).count()
        if page.locator(ERROR_SELECTORS).count() or (rendered == total and not busy) or time.monotonic() > deadline:
            return total, rendered
        time.sleep(0.5)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    results = shoot(os.environ["SUPERSET_URL"], os.environ["SUPERSET_USER"], os.environ["SUPERSET_PASSWORD"],
                    Path(argv[0]), argv[1:])
    print(json.dumps(results, ensure_ascii=False))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

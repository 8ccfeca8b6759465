"""The HTML edition offline: each page, opened from disk in Chromium with every network request refused, shows
its figures and its formulas typeset by the MathJax bundled beside it. Screenshots: runs/e2e/html-<page>.png (the
window at the first figure) and html-<page>-full.png (the whole page)."""

from __future__ import annotations

import time

import pytest

from fashion_helpers.tools import cli

from ..conftest import NOTEBOOK_DIR
from .test_lab import committed

PAGES = sorted(path.stem for path in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
MATH_TIMEOUT = 60  # s: MathJax loads from disk and typesets a page

_FACTS = """() => {
  const markdown = [...document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')].map(e => {
    const copy = e.cloneNode(true);
    copy.querySelectorAll('code, pre, script, .MathJax, .MathJax_Display, .MathJax_Preview, .MJX_Assistive_MathML')
        .forEach(c => c.remove());
    return copy.innerText; });
  return {
    math: document.querySelectorAll('.jp-MarkdownCell .MathJax, .jp-MarkdownCell .MathJax_Display').length,
    math_errors: document.querySelectorAll('.MathJax_Error, .jp-MarkdownCell .merror').length,
    raw_tex: markdown.filter(t => /\\\\[A-Za-z]+|\\$\\$/.test(t)).map(t => t.slice(0, 120)),
    images: [...document.querySelectorAll('.jp-OutputArea-output img')].map(i => i.complete ? i.naturalWidth : 0),
    fonts: [...document.fonts].filter(f => f.family.startsWith('STIX') && f.status === 'loaded').length,
  };
}"""


@pytest.fixture(scope="module")
def html_edition(tmp_path_factory):
    """The edition as `make html` writes it (the same command), into a folder of the test's own."""
    out = tmp_path_factory.mktemp("html") / "html"
    assert cli.main(["html", "--notebooks", str(NOTEBOOK_DIR), "--out", str(out)]) == 0
    assert (out / "mathjax" / "MathJax.js").is_file(), "make html did not bundle MathJax beside the pages"
    return out


@pytest.fixture
def offline_page(browser):
    """A tab that refuses every request that is not a file on disk, and remembers what it refused."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, offline=True)
    context.set_default_timeout(30_000)
    refused = []

    def refuse(route):
        refused.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith("file:"), refuse)
    page = context.new_page()
    page.refused = refused
    try:
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("name", PAGES)
def test_html_page_renders_math_and_figures_offline(offline_page, html_edition, artifacts, name):
    page, shot = offline_page, artifacts / f"html-{name}.png"
    where = f"(screenshot {shot})"
    expected = committed(name)
    try:
        page.goto((html_edition / f"{name}.html").as_uri())
        try:
            page.wait_for_function("() => window.MathJax && window.MathJax.isReady", timeout=MATH_TIMEOUT * 1000)
            page.evaluate("() => new Promise(done => MathJax.Hub.Queue(() => done(true)))")
        except Exception as exc:  # playwright's TimeoutError, or MathJax missing from the page
            pytest.fail(
                f"{name}.html: MathJax was not ready within {MATH_TIMEOUT} s: {str(exc).splitlines()[0]} {where}",
                pytrace=False,
            )
        facts = page.evaluate(_FACTS)
        assert not page.refused, f"{name}.html asked the network for {page.refused[:3]} {where}"
        assert not facts["raw_tex"], f"{name}.html: LaTeX left untypeset: {facts['raw_tex'][0]!r} {where}"
        assert facts["math"] >= expected["math_cells"] and not facts["math_errors"], (
            f"{name}.html: {facts['math']} typeset formulas, {facts['math_errors']} MathJax errors {where}"
        )
        assert facts["fonts"], f"{name}.html: MathJax's STIX web fonts did not load from disk {where}"
        assert len(facts["images"]) == expected["images"] and all(facts["images"]), (
            f"{name}.html: expected {expected['images']} figures, the page shows {facts['images']} {where}"
        )
    finally:
        figure = page.locator(".jp-OutputArea-output img").first
        if figure.count():
            figure.evaluate("element => element.scrollIntoView({block: 'center'})")
            time.sleep(0.2)
        page.screenshot(path=str(shot))
        page.screenshot(path=str(shot.with_name(shot.stem + "-full.png")), full_page=True)


def test_html_index_links_every_page_offline(offline_page, html_edition, artifacts):
    page = offline_page
    page.goto((html_edition / "index.html").as_uri())
    page.screenshot(path=str(artifacts / "html-index.png"))
    links = page.locator("li a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert links == [f"{name}.html" for name in PAGES]
    page.locator("li a").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"{PAGES[0]}.html") and not page.refused

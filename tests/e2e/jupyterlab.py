"""Driving JupyterLab as a student does: open a notebook, wait for its kernel, Run > Run All Cells, wait for every
cell; then read what the page shows. Every wait is bounded and says what it was waiting for."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
KERNEL_TIMEOUT = 120  # s: open the page, start the kernel (a cold start on a busy 2-core machine)
RUN_TIMEOUT = 300  # s: run every cell; 04 takes ~20 s, and several times that on a loaded machine
MATH_TIMEOUT = 30  # s: MathJax typesets the markdown cells

_STATE = f"""() => {{
  const panel = document.querySelector('{PANEL}');
  if (!panel) return null;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.innerText.trim());
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const kernel = panel.querySelector('.jp-KernelName');
  return {{cells: prompts.length, done: prompts.filter(p => /^\\[\\d+\\]:$/.test(p)).length,
           running: prompts.filter(p => p === '[*]:').length,
           status: indicator ? indicator.dataset.status : 'none', kernel: kernel ? kernel.innerText.trim() : '',
           dialog: document.querySelector('.jp-Dialog') ? document.querySelector('.jp-Dialog').innerText : ''}};
}}"""

_FACTS = f"""() => {{
  const panel = document.querySelector('{PANEL}');
  const text = sel => [...panel.querySelectorAll(sel)].map(e => e.innerText);
  const markdown = [...panel.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')].map(e => {{
    const copy = e.cloneNode(true);
    copy.querySelectorAll('code, pre, mjx-container').forEach(c => c.remove());
    return copy.innerText; }});
  return {{
    stdout: text('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]'),
    stderr: text('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'),
    outputs: text('.jp-OutputArea-output'),
    images: [...panel.querySelectorAll('.jp-OutputArea-output img')].map(i => i.complete ? i.naturalWidth : 0),
    math: panel.querySelectorAll('.jp-MarkdownCell mjx-container').length,
    math_errors: panel.querySelectorAll('.jp-MarkdownCell mjx-merror, .jp-MarkdownCell .MathJax_Error').length,
    raw_tex: markdown.filter(t => /\\\\[A-Za-z]+|\\$\\$/.test(t)).map(t => t.slice(0, 120)),
    expected: [...panel.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')]
      .filter(e => e.innerText.startsWith('Expected output'))
      .map(e => {{ const pre = e.querySelector('pre'); return pre ? pre.innerText : ''; }}),
    expected_figures: [...panel.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')]
      .filter(e => e.innerText.startsWith('Expected output'))
      .map(e => [...e.querySelectorAll('img')].filter(i => i.complete && i.naturalWidth > 0).length),
    blank_answers: [...panel.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')]
      .filter(e => e.innerText.trim() === 'YOUR ANSWER HERE').length,
  }};
}}"""


class E2EFailure(AssertionError):
    """A failed wait or check, in one line."""


@dataclass
class Facts:
    """What a run notebook shows."""

    stdout: list[str]
    stderr: list[str]
    outputs: list[str]
    images: list[int]
    math: int
    math_errors: int
    raw_tex: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)  # the text of each rendered "Expected output" block
    expected_figures: list[int] = field(default_factory=list)  # the figures each of those blocks shows, loaded
    blank_answers: int = 0  # rendered answer cells still reading nbgrader's "YOUR ANSWER HERE"

    def lines(self, prefix: str | tuple[str, ...]) -> list[str]:
        return [line for text in self.stdout for line in text.splitlines() if line.startswith(prefix)]


class Notebook:
    """One notebook open in JupyterLab; ``where`` (server log, screenshot) goes into every failure message."""

    def __init__(self, page, lab, path: str, where: str):
        self.page, self.lab, self.path, self.where = page, lab, path, where

    def fail(self, message: str) -> None:
        raise E2EFailure(f"{self.path}: {message} ({self.where})")

    def state(self) -> dict:
        return self.page.evaluate(_STATE) or {}

    def open(self) -> Notebook:
        """Open the notebook and wait until its kernel (the one the notebook names) is started and idle."""
        # a workspace of its own: JupyterLab does not reopen (and start kernels for) earlier tests' notebooks
        workspace = "e2e-" + "".join(c if c.isalnum() else "-" for c in self.path)
        self.page.goto(
            f"{self.lab.url}/lab/workspaces/{workspace}/tree/{self.path}?token={self.lab.token}",
            timeout=KERNEL_TIMEOUT * 1000,
        )
        deadline = time.monotonic() + KERNEL_TIMEOUT
        state = {}
        while time.monotonic() < deadline:
            state = self.state()
            if state.get("dialog"):  # e.g. "Select Kernel": the notebook's kernel is not in this environment
                self.fail(f"JupyterLab shows a dialog instead of a ready kernel: {state['dialog'][:200]!r}")
            if state.get("cells") and state["kernel"] not in ("", "No Kernel") and state["status"] == "idle":
                return self
            time.sleep(0.5)
        self.fail(
            f"the kernel was not ready within {KERNEL_TIMEOUT} s (last seen: kernel {state.get('kernel')!r}, "
            f"status {state.get('status')!r}, {state.get('cells', 0)} code cells on the page)"
        )

    def kernel_name(self) -> str:
        """The kernel JupyterLab started for this notebook, from the server's sessions."""
        for session in self.lab.api("sessions"):
            if session["path"] == self.path:
                return session["kernel"]["name"]
        self.fail("the server has no session for it")

    def run_all(self) -> None:
        """Run > Run All Cells from the menu bar, then wait until every code cell has its execution count."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        self.page.locator('.lm-Menu-item:has(.lm-Menu-itemLabel:text-is("Run All Cells"))').click()
        deadline = time.monotonic() + RUN_TIMEOUT
        idle_since, state = None, {}
        while time.monotonic() < deadline:
            state = self.state()
            if state["cells"] and state["done"] == state["cells"] and state["status"] == "idle":
                return
            # idle with cells left unrun for a few seconds: run-all stopped, most likely at an error
            if state["status"] == "idle" and state["running"] == 0 and state["done"] > 0:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since > 5:
                    errors = self.facts().stderr
                    self.fail(
                        f"Run All stopped after {state['done']} of {state['cells']} code cells"
                        + (f"; first error output: {errors[0].strip().splitlines()[-1]!r}" if errors else "")
                    )
            else:
                idle_since = None
            time.sleep(0.5)
        self.fail(
            f"Run All did not finish within {RUN_TIMEOUT} s: {state.get('done')} of {state.get('cells')} "
            f"code cells had run, kernel {state.get('status')!r}"
        )

    def facts(self) -> Facts:
        return Facts(**self.page.evaluate(_FACTS))

    def wait_for_math(self) -> Facts:
        """The facts once MathJax has typeset every formula (no raw TeX left), or after MATH_TIMEOUT."""
        deadline = time.monotonic() + MATH_TIMEOUT
        facts = self.facts()
        while (facts.raw_tex or not facts.math) and time.monotonic() < deadline:
            time.sleep(0.5)
            facts = self.facts()
        return facts

    def screenshot(self, path: Path, focus: str = ".jp-OutputArea-output img") -> None:
        """Two pictures: ``path``, the window around the first ``focus`` element (default: the first figure);
        ``*-full.png``, the whole notebook."""
        page = self.page
        target = page.locator(f"{PANEL} {focus}").first
        if target.count():
            target.evaluate("element => element.scrollIntoView({block: 'center'})")
            time.sleep(0.3)
        page.screenshot(path=str(path))
        viewport = page.viewport_size
        height = page.evaluate(f"() => document.querySelector('{PANEL} .jp-WindowedPanel-outer').scrollHeight")
        page.set_viewport_size({"width": viewport["width"], "height": min(int(height) + 200, 16000)})
        try:
            time.sleep(0.5)
            page.locator(PANEL).screenshot(path=str(path.with_name(path.stem + "-full.png")))
        finally:
            page.set_viewport_size(viewport)

    def close(self) -> None:
        """Shut the notebook's kernel down through the server, so the next notebook has the CPU."""
        for session in self.lab.api("sessions"):
            if session["path"] == self.path:
                self.lab.api(f"sessions/{session['id']}", method="DELETE")

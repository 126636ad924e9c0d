"""JupyterLab on localhost and headless Chromium: what ``tests/test_browser.py`` and
``benchmarks/playground_speed.py`` share.

    with jupyterlab(root, workdir) as (base, token):     # a server whose root is the folder `root`
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = run_all_cells(browser, base, token, "some.ipynb")
            page.locator("img").first.evaluate(IMAGE_FINGERPRINT)

Chromium is Debian's (``/usr/bin/chromium``), driven through Playwright's Python package: no
browser download. Not a test module (pytest collects only ``test_*.py``).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

#: A JavaScript function of an ``<img>``: its bytes' FNV-1a hash, size and natural width.
IMAGE_FINGERPRINT = """async (img) => {
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let h = 2166136261;
    for (const b of bytes) { h = Math.imul(h ^ b, 16777619) >>> 0; }
    return {src: img.src.slice(0, 60), size: bytes.length, hash: h, width: img.naturalWidth};
}"""


def missing_requirements() -> list[str]:
    """What is missing to run JupyterLab in Chromium here (empty: nothing), each with how to get it."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (pip install -e '.[dev]')")
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        missing.append("jupyterlab (pip install -e '.[dev]')")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    return missing


def write_notebook(path: Path, sources: list[str]) -> None:
    """A notebook at ``path`` with one code cell per source, no outputs."""
    cells = [{"cell_type": "code", "execution_count": None, "id": f"cell{i}", "metadata": {}, "outputs": [],
              "source": source} for i, source in enumerate(sources)]
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook, indent=1))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyterlab(root: Path, workdir: Path) -> Iterator[tuple[str, str]]:
    """``jupyter lab`` on a free localhost port serving the folder ``root``; yields (base URL, token).

    Its settings, kernels' IPython folder and log (``workdir/jupyterlab.log``) live under
    ``workdir``; the server and the kernels it started are stopped on exit. Raises RuntimeError,
    with the end of the log, if the server does not answer within 60 seconds.
    """
    port, token = _free_port(), secrets.token_hex(16)
    home = workdir / "jupyter"
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_PATH"}
    env.update(  # keep the reader's Jupyter settings, kernels and workspaces out of it, and ours out of theirs
        JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        IPYTHONDIR=str(home / "ipython"), PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    )
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')  # no news pop-up
    log_path = workdir / "jupyterlab.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
             "--allow-root", "--expose-app-in-browser", "--LabApp.news_url=",
             "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate"],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError("JupyterLab did not start:\n" + log_path.read_text()[-3000:])
                time.sleep(0.5)
            yield base, token
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)  # the server and the kernels it started
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait(timeout=5)


def run_all_cells(browser, base: str, token: str, notebook: str, wait: bool = True, workspace: str | None = None):
    """Open ``notebook`` in JupyterLab in a new page, once its kernel is ready run all its cells
    (``wait``: until they finish), and return the page. A ``workspace`` name of its own keeps the
    notebooks opened before in the same server out of the page (JupyterLab reopens their tabs)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{base}/lab/{f'workspaces/{workspace}/' if workspace else ''}tree/{notebook}?token={token}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext")
    page.evaluate("""async (wait) => {
        const panel = window.jupyterapp.shell.currentWidget;
        await panel.context.ready;
        await panel.sessionContext.ready;
        const run = window.jupyterapp.commands.execute('notebook:run-all-cells');
        if (wait) { await run; }
    }""", wait)
    return page


def wait_for_picture(page, selector: str, failure_screenshot: Path, timeout: int = 90_000):
    """Wait until the ``<img>`` at ``selector`` is shown and decoded, and return it; on failure,
    save a screenshot of the page to ``failure_screenshot`` first."""
    try:
        image = page.wait_for_selector(selector, state="visible", timeout=timeout)
    except Exception:
        failure_screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(failure_screenshot))
        raise
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image)
    return image

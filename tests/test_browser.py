"""The latent explorer in a real browser: JupyterLab on localhost, driven by headless Chromium.

The test writes a small notebook that shows the explorer of a seeded untrained generator, starts
``jupyter lab`` on a free localhost port with a token, opens the notebook in Debian's Chromium
(through Playwright's Python package, ``executable_path="/usr/bin/chromium"``: no browser download),
runs every cell, waits for the explorer's image, drags the first direction slider and checks that
the image shown in the page changed. A screenshot goes to ``build/artifacts/explorer.png``. Two more
notebooks check that a training run's progress updates live, and that the toy-GAN playground plays,
pauses and steps in the page (``build/artifacts/playground.png``).

Skipped on a machine without Chromium or Playwright, except under CI (``CI`` set), where that is a
failure: ``.ci/run`` installs Chromium and the dev extras bring Playwright and JupyterLab.
"""

from __future__ import annotations

import os
import re
import shutil
import time

import pytest
from jupyterlab_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    IMAGE_FINGERPRINT,
    REPO,
    jupyterlab,
    missing_requirements,
    run_all_cells,
    wait_for_picture,
    write_notebook,
)

ARTIFACTS = REPO / "build" / "artifacts"

NOTEBOOK_CELLS = [
    "import gan_utils\n"
    "gan_utils.set_seed(0)\n"
    "generator = gan_utils.build_dcgan_generator(latent_dim=16, width=8)\n"
    "explorer = gan_utils.LatentExplorer(generator, n_directions=3, n_coordinates=4, samples=256, jit_compile=False)",
    "explorer.widget",
]
#: A notebook that trains a tiny GAN for two epochs of 150 steps: its progress must update live.
TRAINING_CELLS = [
    "import numpy as np\n"
    "import gan_utils\n"
    "gan_utils.set_seed(0)\n"
    "gan = gan_utils.build_gan(gan_utils.get_recipe('dcgan', smoke=False, width=4, latent_dim=8))\n"
    "x = np.random.default_rng(0).uniform(-1, 1, (64 * 150, 28, 28, 1)).astype('float32')",
    "history = gan_utils.fit_gan(gan, x, epochs=2, batch_size=64)",
]
#: A notebook that shows the toy-GAN playground (issue 14) of the ring.
PLAYGROUND_CELLS = [
    "from gan_utils import toy\nplay = toy.Playground(\"ring\", seed=0)",
    "play.widget",
]


def _requirements_or_skip() -> None:
    missing = missing_requirements()
    if missing:
        message = "the browser test needs " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + "; .ci/run should have installed it")
        pytest.skip(message)


@pytest.fixture()
def jupyterlab_server(tmp_path):
    """``jupyter lab`` on a free localhost port, its root a temporary folder; yields (base URL, token)."""
    _requirements_or_skip()
    root = tmp_path / "root"
    root.mkdir()
    write_notebook(root / "explorer.ipynb", NOTEBOOK_CELLS)
    write_notebook(root / "training.ipynb", TRAINING_CELLS)
    write_notebook(root / "playground.ipynb", PLAYGROUND_CELLS)
    try:
        with jupyterlab(root, tmp_path) as server:
            yield server
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        if (tmp_path / "jupyterlab.log").exists():
            shutil.copy(tmp_path / "jupyterlab.log", ARTIFACTS / "jupyterlab.log")


def test_moving_a_slider_in_jupyterlab_changes_the_image(jupyterlab_server):
    from playwright.sync_api import sync_playwright

    base, token = jupyterlab_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = run_all_cells(browser, base, token, "explorer.ipynb")
            image = wait_for_picture(page, ".gan-latent-explorer img.gan-explorer-image", ARTIFACTS / "explorer_failed.png", timeout=90_000)
            before = image.evaluate(IMAGE_FINGERPRINT)
            assert before["width"] == 196, before  # 28 pixels upscaled 7 times

            slider = page.locator(".gan-latent-explorer .widget-slider").filter(has_text="PC1")
            handle = slider.locator(".noUi-handle, .ui-slider-handle").first
            handle.scroll_into_view_if_needed()
            box = handle.bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x + 120, y, steps=12)
            page.mouse.up()
            moved = time.monotonic()

            after = before
            while time.monotonic() - moved < 30:
                after = image.evaluate(IMAGE_FINGERPRINT)
                if after["hash"] != before["hash"]:
                    break
                page.wait_for_timeout(100)
            readout = slider.locator(".widget-readout").first
            value = readout.input_value() if readout.evaluate("e => e.tagName") == "INPUT" else readout.inner_text()
            page.locator(".gan-latent-explorer").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "explorer.png"))
        finally:
            browser.close()
    print(f"browser part {time.monotonic() - started:.1f} s; PC1 readout {value}; image {before} -> {after}")
    assert float(value) > 0.5, f"the slider did not move (readout {value!r})"
    assert after["hash"] != before["hash"], "the image in the page did not change after moving the PC1 slider"


def test_training_progress_updates_live_in_jupyterlab_and_leaves_one_line_per_epoch(jupyterlab_server):
    from playwright.sync_api import sync_playwright

    base, token = jupyterlab_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    seen: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = run_all_cells(browser, base, token, "training.ipynb", wait=False)
            output = page.locator(".jp-Cell").nth(1).locator(".jp-OutputArea")
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                text = output.inner_text() if output.count() else ""
                if text and (not seen or seen[-1] != text):
                    seen.append(text)
                if text.count("Epoch 2/2  150/150") == 1:
                    break
                page.wait_for_timeout(100)
            page.screenshot(path=str(ARTIFACTS / "training.png"))
        finally:
            browser.close()
    live = [t for t in seen if re.search(r"Epoch 1/2\s+(\d+)/150\s+\[", t)]
    steps = [int(re.search(r"Epoch 1/2\s+(\d+)/150", t).group(1)) for t in live]
    assert len(set(steps)) >= 2 and steps == sorted(steps), f"no live progress during epoch 1: {seen[:6]}"
    final = [line for line in seen[-1].splitlines() if line.strip()]
    assert [line.split("  ")[0] for line in final] == ["Epoch 1/2", "Epoch 2/2"], final


def _fingerprints(page, image, seconds: float, every_ms: int = 80) -> list[int]:
    """The hashes of the picture the page shows, sampled for ``seconds``."""
    hashes, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        hashes.append(image.evaluate(IMAGE_FINGERPRINT)["hash"])
        page.wait_for_timeout(every_ms)
    return hashes


def _wait_for_new_picture(page, image, old: int, timeout: float = 90) -> int:
    """The picture's hash once it differs from ``old`` (the first frame of a run traces its step)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = image.evaluate(IMAGE_FINGERPRINT)["hash"]
        if new != old:
            return new
        page.wait_for_timeout(50)
    raise AssertionError(f"the playground's picture did not change within {timeout:.0f} s")


def test_playground_plays_pauses_and_steps_in_jupyterlab(jupyterlab_server):
    from playwright.sync_api import sync_playwright

    base, token = jupyterlab_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = run_all_cells(browser, base, token, "playground.ipynb")
            image = wait_for_picture(page, ".gan-playground img.gan-playground-view", ARTIFACTS / "playground_failed.png", timeout=120_000)
            assert image.evaluate(IMAGE_FINGERPRINT)["width"] == 360
            shown = image.evaluate("(img) => [img.clientWidth, img.clientHeight, img.naturalWidth, img.naturalHeight]")
            assert shown[:2] == shown[2:], f"the picture is shown stretched: {shown[:2]} pixels for a {shown[2:]} image"
            toggle = page.locator(".gan-playground .widget-toggle-button").first
            toggle.scroll_into_view_if_needed()
            assert toggle.inner_text().strip() == "Play"

            first = image.evaluate(IMAGE_FINGERPRINT)["hash"]
            toggle.click()
            page.wait_for_function("(b) => b.innerText.trim() === 'Pause'", arg=toggle.element_handle(), timeout=10_000)
            _wait_for_new_picture(page, image, first)  # the first frame traces the compiled step
            playing = _fingerprints(page, image, 2.0)
            page.screenshot(path=str(ARTIFACTS / "playground.png"))

            toggle.click()
            page.wait_for_function("(b) => b.innerText.trim() === 'Play'", arg=toggle.element_handle(), timeout=10_000)
            page.wait_for_timeout(500)  # frames already on their way
            paused = _fingerprints(page, image, 1.5)

            page.locator(".gan-playground button", has_text="Step G").first.click()
            stepped = _wait_for_new_picture(page, image, paused[-1])
            after_step = _fingerprints(page, image, 1.5)
            status = page.locator(".gan-playground .widget-html").last.inner_text()
        finally:
            browser.close()
    print(f"playing: {len(set(playing))} distinct pictures in {len(playing)} samples over 2 s; "
          f"paused: {len(set(paused))}; after Step G: {len(set(after_step))}; status {status!r}")
    assert len(set(playing)) >= 4, f"the picture barely changed while playing: {len(set(playing))} distinct of {len(playing)}"
    assert len(set(paused)) == 1, f"the picture kept changing after Pause: {len(set(paused))} distinct"
    assert set(after_step) == {stepped} and stepped != paused[-1], "Step G changed the picture more than once"
    assert "One generator update" in status, status


def test_static_html_export_shows_the_direction_grid(tmp_path):
    """Without a widget front end (here nbconvert's HTML of a notebook saved without widget state,
    JupyterLab's default) the explorer's cell shows its static grid rather than nothing."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import ExecutePreprocessor

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in NOTEBOOK_CELLS])
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    ExecutePreprocessor(timeout=300, kernel_name="python3", store_widget_state=False).preprocess(
        notebook, {"metadata": {"path": str(tmp_path)}})
    (output,) = notebook.cells[1].outputs
    assert {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"} <= set(output["data"])
    html, _ = HTMLExporter().from_notebook_node(notebook)
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', html)) == 1
    assert "application/vnd.jupyter.widget-view+json" not in html

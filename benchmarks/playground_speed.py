"""Speed of the toy-GAN playground while it plays: frames per second, steps per frame, and what the page shows.

    python benchmarks/playground_speed.py                     # ring and bumps, in the kernel and in the browser
    python benchmarks/playground_speed.py --seconds 20 --no-browser
    python benchmarks/playground_speed.py --data ring --repeats 50

Target (issue 14): at least 10 frames per second with at least 10 training steps per frame while
playing, on a 2-core CPU, with the default settings.

(a) In the kernel, exactly what the widget does: ``play.widget`` is built, its Play toggle set to
True, and the playground plays in its background thread (``Playground.play``: 10 steps, then the
widget's redraw: the game's picture, its PNG, the curves and their PNG, the caption) for
``--seconds``; frames per second and steps per frame are counted from ``play.frames_drawn`` and
``play.steps`` after a warm-up (the first frame traces the compiled step). The compiled step's
tracing count is read before and after playing: it must be traced once, not once per frame. Then
each piece of a frame is timed alone (median and 95th percentile of ``--repeats``).

(b) In the browser: JupyterLab on localhost and Debian's Chromium through Playwright (the machinery
of ``tests/test_browser.py``, in ``tests/jupyterlab_browser.py``). A notebook shows the
playground; Play is clicked in the page and, for ``--seconds``, the page counts the updates of the
picture it receives (a MutationObserver on the image's ``src``) and the ones it shows (the ``src``
checked at every animation frame: two updates between paints count once); the caption's step
counter gives the steps the kernel made meanwhile.

The CPU may be shared with other work: the load average is printed before each part.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import ipywidgets  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import PIL  # noqa: E402
import tensorflow as tf  # noqa: E402

from gan_utils.playground import Playground, _png  # noqa: E402

TARGET_FPS, TARGET_STEPS = 10, 10


def _stats(seconds: list[float]) -> str:
    ms = np.asarray(seconds) * 1000.0
    return f"median {np.median(ms):6.2f} ms   p95 {np.percentile(ms, 95):6.2f} ms"


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown CPU"


def _load() -> str:
    return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def _time(fn, repeats: int) -> list[float]:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


# ------------------------------------------------------------------------------------ (a) kernel
def play_in_kernel(data: str, seconds: float) -> dict:
    """Play the widget's way for ``seconds`` after a warm-up; frames, steps and tracing counts."""
    play = Playground(data, seed=0)
    root = play.widget
    toggle = root.children[0].children[0]
    run = play._runs["both"]
    traced_before = run.experimental_get_tracing_count()
    started = time.perf_counter()
    toggle.value = True
    while play.frames_drawn < 1 and time.perf_counter() - started < 120:
        time.sleep(0.01)
    first_frame = time.perf_counter() - started
    while play.frames_drawn < 5 and time.perf_counter() - started < 120:
        time.sleep(0.01)
    frames, steps, start = play.frames_drawn, play.steps, time.perf_counter()
    time.sleep(seconds)
    frames, steps, elapsed = play.frames_drawn - frames, play.steps - steps, time.perf_counter() - start
    toggle.value = False
    error = getattr(play, "last_error", None)
    if error is not None:
        raise RuntimeError(f"the playground stopped with an error while playing {data}: {error!r}")
    return dict(play=play, fps=frames / elapsed, steps_per_frame=steps / max(frames, 1), frames=frames,
                first_frame=first_frame, traced_before=traced_before, traced_after=run.experimental_get_tracing_count(),
                view_traced=play._view.experimental_get_tracing_count())


def pieces(play: Playground, repeats: int) -> dict[str, list[float]]:
    """Each piece of a frame timed alone, on the state the game reached."""
    batch = tf.constant(play.points[play._rng.integers(0, len(play.points), (10, play.settings["batch_size"]))])
    run = play._runs["both"]

    def state():
        play._state = None
        return play.state

    def long_curves():  # the curves after 100,000 steps of playing (the history as if it were that long)
        history = play.history
        play.history = {name: list(np.resize(np.asarray(values, dtype=np.float64), 100_000)) for name, values in history.items()}
        try:
            return _time(play.render_curves, repeats)
        finally:
            play.history = history

    picture = play.render()
    curves = play.render_curves()
    return {
        "compiled 10-step chunk (tf.function alone)": _time(lambda: run(batch), repeats),
        "step(10): chunk + history, JSD, modes": _time(lambda: play.step(10), repeats),
        "state: view (fakes, push, heat, grid) + JSD + modes": _time(state, repeats),
        "render the game (360 x 360)": _time(lambda: play.render(play.state), repeats),
        f"PNG of the game ({len(_png(picture)) / 1024:.0f} KiB)": _time(lambda: _png(picture), repeats),
        "render the curves (360 x 150)": _time(play.render_curves, repeats),
        f"PNG of the curves ({len(_png(curves)) / 1024:.0f} KiB)": _time(lambda: _png(curves), repeats),
        "caption": _time(play.caption, repeats),
        "(the curves after 100,000 steps)": long_curves(),
    }


# ----------------------------------------------------------------------------------- (b) browser
_COUNT_UPDATES = """(img) => {
    const counts = {received: 0, shown: 0};
    new MutationObserver((records) => { counts.received += records.length; })
        .observe(img, {attributes: true, attributeFilter: ['src']});
    let last = img.src;
    const tick = () => {
        if (img.src !== last) { last = img.src; counts.shown += 1; }
        if (!counts.stop) { requestAnimationFrame(tick); }
    };
    requestAnimationFrame(tick);
    window.__playgroundCounts = counts;
}"""


def _step_shown(caption) -> int:
    return int(re.search(r"step (\d+)", caption.inner_text()).group(1))


def play_in_browser(datasets: list[str], seconds: float) -> tuple[str, dict[str, dict]]:
    """Per data set: picture updates per second the page received and showed, steps per second."""
    from jupyterlab_browser import CHROMIUM, CHROMIUM_ARGS, IMAGE_FINGERPRINT, jupyterlab, run_all_cells, write_notebook
    from playwright.sync_api import sync_playwright

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        for data in datasets:
            write_notebook(root / f"{data}.ipynb", [f"from gan_utils import toy\nplay = toy.Playground({data!r}, seed=0)",
                                                     "play.widget"])
        with jupyterlab(root, Path(tmp)) as (base, token), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            version = f"Chromium {browser.version}"
            try:
                for data in datasets:
                    page = run_all_cells(browser, base, token, f"{data}.ipynb", workspace=data)
                    image = page.wait_for_selector(".gan-playground img.gan-playground-view", state="visible", timeout=180_000)
                    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image)
                    caption = page.locator(".gan-playground code").first  # "step 120 | data ring | ..."
                    toggle = page.locator(".gan-playground .widget-toggle-button").first
                    first = image.evaluate(IMAGE_FINGERPRINT)["hash"]
                    toggle.click()
                    deadline = time.monotonic() + 120
                    while image.evaluate(IMAGE_FINGERPRINT)["hash"] == first and time.monotonic() < deadline:
                        page.wait_for_timeout(50)
                    page.wait_for_timeout(1000)  # past the first frames
                    image.evaluate(_COUNT_UPDATES)
                    steps, start = _step_shown(caption), time.monotonic()
                    page.wait_for_timeout(seconds * 1000)
                    counts = page.evaluate("() => { const c = window.__playgroundCounts; c.stop = true; return {...c}; }")
                    steps, elapsed = _step_shown(caption) - steps, time.monotonic() - start
                    toggle.click()
                    page.wait_for_function("(b) => b.innerText.trim() === 'Play'", arg=toggle.element_handle())
                    results[data] = dict(received=counts["received"] / elapsed, shown=counts["shown"] / elapsed,
                                         steps=steps / elapsed, seconds=elapsed)
                    page.close()
            finally:
                browser.close()
    return version, results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", nargs="+", default=["ring", "bumps"], help="data sets to play (default: ring bumps)")
    p.add_argument("--seconds", type=float, default=10.0, help="seconds of playing measured per data set (default 10)")
    p.add_argument("--repeats", type=int, default=30, help="timings per piece (default 30)")
    p.add_argument("--no-browser", action="store_true", help="skip the JupyterLab + Chromium part")
    args = p.parse_args(argv)

    print(f"machine: {platform.machine()}, {_cpu()}, {os.cpu_count()} CPUs; TensorFlow {tf.__version__}, Keras {keras.__version__}, "
          f"ipywidgets {ipywidgets.__version__}, Pillow {PIL.__version__}")
    print(f"target: at least {TARGET_FPS} frames/s with at least {TARGET_STEPS} steps/frame; default settings "
          "(64 x 64 networks, batch 128, 512 samples shown, Adam 1e-3, steps/frame slider 10)\n")

    print(f"(a) in the kernel, {args.seconds:g} s of playing per data set ({_load()})")
    print(f"{'data':<6} {'frames/s':>9} {'steps/frame':>12} {'frames':>7} {'first frame':>12} {'step traced':>12} {'view traced':>12}")
    kernel = {}
    for data in args.data:
        r = kernel[data] = play_in_kernel(data, args.seconds)
        traced = f"{r['traced_before']} -> {r['traced_after']}"
        print(f"{data:<6} {r['fps']:9.1f} {r['steps_per_frame']:12.1f} {r['frames']:7d} {r['first_frame']:10.2f} s "
              f"{traced:>12} {r['view_traced']:12d}")
    for data in args.data:
        print(f"\npieces of a frame, {data} ({args.repeats} repeats, {_load()})")
        timed = pieces(kernel[data]["play"], args.repeats)
        for name, times in timed.items():
            print(f"  {name:<52} {_stats(times)}")
        frame = sum(np.median(timed[k]) for k in list(timed)[1:-1])
        print(f"  {'a frame: step(10) + state + pictures + caption':<52} median {frame * 1000:6.2f} ms "
              f"(sum of the medians: at most {1 / frame:.0f} frames/s at this load)")

    if not args.no_browser:
        print(f"\n(b) in JupyterLab + Chromium, {args.seconds:g} s of playing per data set ({_load()})")
        sys.path.insert(0, str(REPO / "tests"))
        version, browser = play_in_browser(args.data, args.seconds)
        print(f"{version}; picture updates per second the page received and showed, steps per second the kernel made")
        print(f"{'data':<6} {'received/s':>11} {'shown/s':>8} {'steps/s':>8} {'steps/update':>13}")
        for data, r in browser.items():
            print(f"{data:<6} {r['received']:11.1f} {r['shown']:8.1f} {r['steps']:8.0f} {r['steps'] / max(r['received'], 1e-9):13.1f}")

    print()
    for data in args.data:
        ok = kernel[data]["fps"] >= TARGET_FPS and kernel[data]["steps_per_frame"] >= TARGET_STEPS
        line = f"RESULT {data}: kernel {kernel[data]['fps']:.1f} frames/s x {kernel[data]['steps_per_frame']:.1f} steps/frame"
        if not args.no_browser:
            ok = ok and browser[data]["shown"] >= TARGET_FPS
            line += f"; page shows {browser[data]['shown']:.1f} updates/s"
        print(line + f"  ({'met' if ok else 'NOT met'}: target {TARGET_FPS} frames/s x {TARGET_STEPS} steps)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

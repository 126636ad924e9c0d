"""Latency of the latent explorer: from a slider's new value to the new PNG in the image widget.

    python benchmarks/explorer_latency.py                     # the shipped DCGAN, else an untrained one
    python benchmarks/explorer_latency.py --generator runs/dcgan --events 500
    python benchmarks/explorer_latency.py --model cgan        # a conditional generator

What is timed is exactly what happens in the kernel when a reader drags a slider: the slider's
``value`` is set (as the front end's message sets it), the explorer's observer computes the new z,
runs the compiled single-vector forward pass, encodes the PNG and assigns it to the image widget.
Each kind of slider is timed (a principal direction, a raw coordinate, the interpolation's t) with
the forward pass compiled by XLA and without; the pieces (forward pass, PNG encoding) are timed
alone too, and so is ``model.predict``, which the explorer avoids. Figures are milliseconds,
median and 95th percentile. The target is a median under 30 ms on a 2-core CPU.

Without a trained generator (``files/pretrained/dcgan_generator.json`` or ``--generator DIR``) an
untrained one of the same recipe is used: same layers and sizes, so the same speed.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import gan_utils  # noqa: E402
from gan_utils import recipes, widgets  # noqa: E402


def _stats(seconds: list[float]) -> str:
    ms = np.asarray(seconds) * 1000.0
    return f"median {np.median(ms):6.2f} ms   p95 {np.percentile(ms, 95):6.2f} ms"


def _generator(args: argparse.Namespace):
    if args.generator:
        return gan_utils.load_generator(args.generator), f"trained, from {args.generator}"
    try:
        return gan_utils.load_pretrained(args.model), f"shipped files/pretrained/{args.model}_generator.json"
    except (FileNotFoundError, ValueError) as err:
        gan_utils.set_seed(0)
        generator, _ = recipes.build_networks(recipes.get_recipe(args.model, smoke=False))
        return generator, f"untrained {args.model} recipe (no shipped weights: {str(err)[:60]}...)"


def time_slider(explorer: widgets.LatentExplorer, key: str, events: int) -> list[float]:
    """Set slider ``key`` to ``events`` new values in turn; time each assignment end to end."""
    slider = explorer.sliders[key]
    values = np.linspace(slider.min, slider.max, 97)
    times = []
    for i in range(events):
        value = float(values[(i * 37) % len(values)])
        if value == slider.value:
            value = float(values[(i * 37 + 1) % len(values)])
        before = explorer._image_widget.value
        start = time.perf_counter()
        slider.value = value
        times.append(time.perf_counter() - start)
        assert explorer._image_widget.value is not before, "the image widget did not receive a new PNG"
    return times


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=recipes.MODELS, default="dcgan", help="which recipe / shipped generator")
    p.add_argument("--generator", type=Path, help="a run folder from python -m gan_utils.train (overrides --model)")
    p.add_argument("--events", type=int, default=300, help="slider changes timed per case (default 300)")
    args = p.parse_args(argv)

    generator, source = _generator(args)
    print(f"generator: {generator.name} ({source}), {generator.count_params():,} parameters")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs; ipywidgets {widgets.widgets.__version__}")
    print(f"{args.events} events per case; slider value set -> new PNG in the image widget\n")

    results = {}
    for jit in (True, False):
        start = time.perf_counter()
        explorer = widgets.LatentExplorer(generator, jit_compile=jit)
        built = time.perf_counter() - start
        print(f"jit_compile={jit}: explorer built and warmed up in {built:.2f} s")
        for key, label in (("pc1", "direction slider (pc1)"), ("z0", "coordinate slider (z0)"), ("t", "interpolation t")):
            times = time_slider(explorer, key, args.events)
            results[(jit, key)] = times
            print(f"  {label:<26} {_stats(times)}")
        gen = explorer._gen
        z = explorer.z
        forward = []
        for _ in range(args.events):
            s = time.perf_counter()
            image = gen.one(z, explorer.label or 0)
            forward.append(time.perf_counter() - s)
        print(f"  {'forward pass alone':<26} {_stats(forward)}")
        encode = []
        for _ in range(args.events):
            s = time.perf_counter()
            widgets._png(widgets._to_uint8(image), explorer._scale)
            encode.append(time.perf_counter() - s)
        print(f"  {'PNG encoding alone':<26} {_stats(encode)}\n")

    inputs = z[None] if not gen.conditional else gen.inputs(z[None], np.zeros((1,) + gen.label_shape, np.int32))
    generator.predict(inputs, verbose=0)
    predict = []
    for _ in range(min(args.events, 50)):
        s = time.perf_counter()
        generator.predict(inputs, verbose=0)
        predict.append(time.perf_counter() - s)
    print(f"for comparison, model.predict per event: {_stats(predict)}\n")

    best = min((True, False), key=lambda j: np.median(results[(j, "pc1")]))
    overall = results[(best, "pc1")] + results[(best, "z0")] + results[(best, "t")]
    print(f"RESULT (jit_compile={best}, all sliders): {_stats(overall)}  (target: median < 30 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

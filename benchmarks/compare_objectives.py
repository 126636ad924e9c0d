"""The loss families side by side: each recipe trained for the same time budget, same seed, scored alike.

    python benchmarks/compare_objectives.py                        # dcgan, wgan-gp, hinge, relativistic, 300 s each
    python benchmarks/compare_objectives.py --seconds 300 --seeds 0 1 2 dcgan wgan-gp hinge relativistic
    python benchmarks/compare_objectives.py --seconds 120 wgan-gp:d_steps=1 wgan-gp:d_steps=5

Each entry is a recipe name with optional ``field=value`` overrides after colons. Every run trains
with ``gan_utils.fit_gan`` and a ``TimeBudget``, from ``gan_utils.set_seed(seed)``, on the full
MNIST training set, then draws ``--samples`` images from its sampler (z from seed 1) and scores
them with ``gan_utils.metrics.evaluate`` against the 10,000 test images. With several ``--seeds``
the runs go seed by seed, every entry once per seed, so that a change in the machine's load (other
jobs) falls on all entries alike. Prints one JSON line per run as it finishes, then a Markdown table
with a row per run and the median FID per entry (the runs also go to
``build/benchmarks/objectives.json``).
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import time
from pathlib import Path

import numpy as np

import gan_utils
from gan_utils import atomic, metrics, pretrained

OUT = Path(__file__).resolve().parent.parent / "build" / "benchmarks"
DEFAULT = ("dcgan", "wgan-gp", "hinge", "relativistic")


def parse_entry(entry: str) -> tuple[str, dict]:
    """``"wgan-gp:d_steps=5:d_lr=1e-4"`` -> ``("wgan-gp", {"d_steps": 5, "d_lr": 0.0001})``."""
    name, *pairs = entry.split(":")
    overrides = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            overrides[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            overrides[key] = value
    return name, overrides


def run(entry: str, seconds: float, seed: int, samples: int, images: np.ndarray) -> dict:
    """Train one entry for ``seconds`` and score its sampler."""
    name, overrides = parse_entry(entry)
    recipe = gan_utils.get_recipe(name, smoke=False, epochs=10_000, **overrides)
    gan_utils.set_seed(seed)
    gan = gan_utils.build_gan(recipe, seed=seed)
    start = time.perf_counter()
    gan_utils.fit_gan(gan, images, epochs=recipe.epochs, batch_size=recipe.batch_size, seed=seed,
                      time_budget=seconds, verbose=0, sample_every=10_000)
    train_seconds = time.perf_counter() - start
    z = pretrained.latent_batch(gan.sampler, samples, seed=1)
    scores = metrics.evaluate(np.asarray(gan.sampler.predict(z, batch_size=500, verbose=0)))
    g_steps = int(gan.g_optimizer.iterations.numpy())
    return {
        "entry": entry, "seed": seed, "objective": recipe.objective, "architecture": recipe.arch, "d_steps": recipe.d_steps,
        "seconds": round(train_seconds, 1), "generator_steps": g_steps,
        "images_per_s": round(g_steps * recipe.batch_size / train_seconds, 1),
        **{k: round(float(scores[k]), 4) for k in ("fid", "precision", "recall", "class_kl")},
    }


def table(rows: list[dict], samples: int) -> str:
    """The runs as a Markdown table (by entry, then seed), and each entry's median FID over its seeds."""
    lines = ["| recipe | seed | objective | critic steps | generator steps | FID | precision | recall | class KL |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    entries = list(dict.fromkeys(r["entry"] for r in rows))
    for entry in entries:
        for r in sorted((r for r in rows if r["entry"] == entry), key=lambda r: r["seed"]):
            lines.append(f"| `{r['entry']}` | {r['seed']} | {r['objective']} | {r['d_steps']} | {r['generator_steps']:,} | "
                         f"{r['fid']:.2f} | {r['precision']:.3f} | {r['recall']:.3f} | {r['class_kl']:.3f} |")
    medians = [f"`{e}` {float(np.median([r['fid'] for r in rows if r['entry'] == e])):.2f}" for e in entries]
    return ("\n".join(lines) + f"\n\n{samples:,} samples per row against the 10,000 MNIST test images. "
            f"Median FID over the seeds: {', '.join(medians)}.")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("entries", nargs="*", default=[], help=f"recipes, each with optional :field=value overrides (default {' '.join(DEFAULT)})")
    p.add_argument("--seconds", type=float, default=300.0, help="training budget per entry (default 300)")
    p.add_argument("--seeds", nargs="+", default=["0"], metavar="SEED",
                   help="seeds, each run for every entry (default 0); the entries may follow them")
    p.add_argument("--samples", type=int, default=10_000, help="samples scored per entry (default 10,000)")
    args = p.parse_args(argv)
    # "--seeds 0 1 2 dcgan hinge": the leading integers are the seeds, the words after them entries.
    words, seeds = list(args.seeds), []
    while words and words[0].isdigit():
        seeds.append(int(words.pop(0)))
    if not seeds:
        p.error(f"--seeds needs at least one integer seed first, got {args.seeds[0]!r}")
    args.seeds, args.entries = seeds, (words + args.entries) or list(DEFAULT)
    for entry in args.entries:  # refuse a bad entry before hours of training, not after
        name, overrides = parse_entry(entry)
        gan_utils.get_recipe(name, smoke=False, **overrides)
    rows = []
    for seed in args.seeds:  # seed by seed: load changes on a shared machine hit every entry alike
        images, _ = gan_utils.load_mnist(seed=seed)
        for entry in args.entries:
            rows.append(run(entry, args.seconds, seed, args.samples, images))
            print(json.dumps(rows[-1]), flush=True)
            OUT.mkdir(parents=True, exist_ok=True)
            atomic.write_bytes(OUT / "objectives.json", (json.dumps(rows, indent=2) + "\n").encode())
    seeds = ", ".join(map(str, args.seeds))
    print(f"\n{args.seconds:.0f} s of training each, seeds {seeds}, on this machine:\n")
    print(table(rows, args.samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())

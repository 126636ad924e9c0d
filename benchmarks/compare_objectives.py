"""The loss families side by side: each recipe trained for the same time budget, same seed, scored alike.

    python benchmarks/compare_objectives.py                        # dcgan, wgan-gp, hinge, 300 s each
    python benchmarks/compare_objectives.py --seconds 120 wgan-gp:d_steps=1 wgan-gp:d_steps=5

Each entry is a recipe name with optional ``field=value`` overrides after colons. Every run trains
with ``gan_utils.fit_gan`` and a ``TimeBudget``, from ``gan_utils.set_seed(seed)``, on the full
MNIST training set, then draws ``--samples`` images from its sampler (z from seed 1) and scores
them with ``gan_utils.metrics.evaluate`` against the 10,000 test images. One run per entry: the
table says what this machine did once, not a mean over seeds. Prints a Markdown table (also written
to ``build/benchmarks/objectives.json``).
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
from gan_utils import metrics, pretrained

OUT = Path(__file__).resolve().parent.parent / "build" / "benchmarks"
DEFAULT = ("dcgan", "wgan-gp", "hinge")


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
        "entry": entry, "objective": recipe.objective, "architecture": recipe.arch, "d_steps": recipe.d_steps,
        "seconds": round(train_seconds, 1), "generator_steps": g_steps,
        "images_per_s": round(g_steps * recipe.batch_size / train_seconds, 1),
        **{k: round(float(scores[k]), 4) for k in ("fid", "precision", "recall", "class_kl")},
    }


def table(rows: list[dict], samples: int) -> str:
    lines = ["| recipe | objective | critic steps | generator steps | FID | precision | recall | class KL |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| `{r['entry']}` | {r['objective']} | {r['d_steps']} | {r['generator_steps']:,} | {r['fid']:.2f} | "
                     f"{r['precision']:.3f} | {r['recall']:.3f} | {r['class_kl']:.3f} |")
    return "\n".join(lines) + f"\n\n{samples:,} samples per row against the 10,000 MNIST test images."


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("entries", nargs="*", default=list(DEFAULT), help="recipes, each with optional :field=value overrides")
    p.add_argument("--seconds", type=float, default=300.0, help="training budget per entry (default 300)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--samples", type=int, default=10_000, help="samples scored per entry (default 10,000)")
    args = p.parse_args(argv)
    images, _ = gan_utils.load_mnist(seed=args.seed)
    rows = []
    for entry in args.entries:
        rows.append(run(entry, args.seconds, args.seed, args.samples, images))
        print(json.dumps(rows[-1]), flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "objectives.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(f"\n{args.seconds:.0f} s of training each, seed {args.seed}, on this machine:\n")
    print(table(rows, args.samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Lesson 07's command line on two real colour-image folders: what a few hundred and a few thousand pictures give in 5 minutes (issue 27).

    python benchmarks/fetch_image_folders.py            # the two folders (npm's emoji artwork), once
    python benchmarks/own_images.py                     # 2 folders x 32 and 64 px x DiffAugment off/on, 300 s each
    python benchmarks/own_images.py --table             # the table of the runs done so far, without training

Each run is the lesson's command line,
``python -m gan_utils.train dcgan --images DIR --image-size S --channels 3 --time-budget 300
--epochs E [--augment] --output OUT``, with ``E`` large enough for the budget to stop it (until
training length is counted in images shown, the recipe's 10 epochs end a run on a few hundred
images within a minute). A run folder that already holds ``run.json`` is not trained again.

Each finished run is scored: ``--samples`` images of its moving-average generator (at most half
the folder) against as many real images of the folder, and the real-versus-real floor (the
other half), in seeded random features (``gan_utils.features.random_extractor``: available
offline, comparable only between runs on the same folder and size), with FID, precision and
recall; the steps are the epochs completed times the steps per epoch. The grids are each run's
``samples.png``, copied to ``--out`` as ``FOLDER_SIZEpx_augment.png``. Not in CI: the figures
depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

FOLDERS = Path("build/image_folders")
STEPS_FOR_BUDGET = 20_000  # more steps than a 300 s budget allows on a CPU: --epochs is set from it


def run_name(folder: Path, size: int, augment: bool) -> str:
    return f"{folder.name}_{size}px" + ("_augment" if augment else "")


def train(folder: Path, size: int, augment: bool, seconds: float, out: Path) -> Path:
    import gan_utils

    run = out / "runs" / run_name(folder, size, augment)
    if (run / "run.json").is_file():
        return run
    count = len(gan_utils.load_images(folder, size, 3))
    batch = gan_utils.get_recipe("dcgan", image_size=size).batch_size
    epochs = max(10, STEPS_FOR_BUDGET // max(1, count // batch))
    command = [sys.executable, "-m", "gan_utils.train", "dcgan", "--images", str(folder), "--image-size", str(size),
               "--channels", "3", "--time-budget", str(seconds), "--epochs", str(epochs), "--output", str(run), "--quiet"]
    command += ["--augment"] if augment else []
    print(" ".join(command[1:]), flush=True)
    start = time.perf_counter()
    subprocess.run(command, check=True)
    (run / "wall_seconds.txt").write_text(f"{time.perf_counter() - start:.1f}\n")
    return run


def score(folder: Path, size: int, run: Path, samples: int, seed: int = 0) -> dict:
    import numpy as np

    import gan_utils
    from gan_utils import features, metrics

    real = gan_utils.load_images(folder, size, 3)
    info = json.loads((run / "run.json").read_text())
    recipe = info["recipe"]
    n = min(samples, len(real) // 2)
    order = np.random.default_rng(seed).permutation(len(real))
    real_a, real_b = real[order[:n]], real[order[n : 2 * n]]
    generator = gan_utils.load_generator(run)
    fake = np.asarray(generator.predict(gan_utils.latent_batch(generator, n, seed=seed), batch_size=256, verbose=0))
    extractor = features.get_extractor("random", image_shape=real.shape[1:])
    reference = extractor(real_a)
    floor = metrics.feature_scores(reference, extractor(real_b))
    ours = metrics.feature_scores(reference, extractor(fake))
    steps_per_epoch = len(real) // recipe["batch_size"]
    return {
        "folder": folder.name, "images": len(real), "size": size, "augment": bool(recipe.get("augment")),
        "epochs": info["epochs_completed"], "steps": info["epochs_completed"] * steps_per_epoch,
        "training s": info["training_seconds_this_session"], "n scored": n,
        "fid": ours["fid"], "precision": ours["precision"], "recall": ours["recall"],
        "floor fid": floor["fid"], "floor precision": floor["precision"], "floor recall": floor["recall"],
    }


def table(rows: list[dict]) -> str:
    lines = ["| folder | images | size | DiffAugment | epochs | steps | training s | images scored | FID (floor) | precision (floor) | recall (floor) |",
             "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['folder']} | {r['images']:,} | {r['size']} | {'on' if r['augment'] else 'off'} | {r['epochs']:,} | {r['steps']:,} | "
            f"{r['training s']:.0f} | {r['n scored']:,} | {r['fid']:.2f} ({r['floor fid']:.2f}) | {r['precision']:.3f} ({r['floor precision']:.3f}) | "
            f"{r['recall']:.3f} ({r['floor recall']:.3f}) |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--folders", nargs="+", type=Path, default=[FOLDERS / "animals_food", FOLDERS / "google_all"])
    p.add_argument("--sizes", nargs="+", type=int, default=[32, 64])
    p.add_argument("--augment", nargs="+", choices=("off", "on"), default=["off", "on"])
    p.add_argument("--seconds", type=float, default=300.0)
    p.add_argument("--samples", type=int, default=1000, help="generated (and real) images scored (at most half the folder)")
    p.add_argument("--out", type=Path, default=Path("build/benchmarks/own_images"))
    p.add_argument("--table", action="store_true", help="score and tabulate the finished runs only")
    args = p.parse_args(argv)
    rows = []
    for size in args.sizes:
        for folder in args.folders:
            for augment in (a == "on" for a in args.augment):
                run = args.out / "runs" / run_name(folder, size, augment)
                if not args.table:
                    run = train(folder, size, augment, args.seconds, args.out)
                if not (run / "run.json").is_file():
                    continue
                rows.append(score(folder, size, run, args.samples))
                shutil.copyfile(run / "samples.png", args.out / f"{run.name}.png")
                (args.out / "results.json").write_text(json.dumps(rows, indent=1))
                print(table(rows[-1:]).splitlines()[-1], flush=True)
    print(f"{os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.1f}")
    print(table(rows))


if __name__ == "__main__":
    main()

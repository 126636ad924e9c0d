"""Soak test: train the DCGAN recipe for many epochs with checkpoints, and check nothing degrades.

    python benchmarks/soak.py                            # 20 epochs on 1,024 MNIST images
    python benchmarks/soak.py --epochs 100 --subset 4096

Training runs through ``gan_utils.fit_gan`` with a checkpoint folder, exactly as the command line
does. After every epoch the checkpoint just written is read back and verified (its SHA-256 digest
and its epoch counter), and the process's memory is measured: resident now (``VmRSS``) and its peak
so far (``VmHWM``, from ``/proc/self/status``; ``ru_maxrss`` where there is no ``/proc``). At the
end the last checkpoint is restored into a freshly built GAN, which must then sample exactly what
the trained one samples.

Verdicts printed at the end (exit status 1 if any fails):
  * losses finite: every epoch's ``d_loss`` and ``g_loss``;
  * no checkpoint lost: after every epoch the checkpoint read back is good, of that epoch or an earlier one
    (a checkpoint is skipped where it would cost over 5 % of the training time), and the last is the end's;
  * no memory growth: resident memory rose by less than ``--max-growth-mb`` (default 64 MB) from
    the end of epoch ``--warmup`` (default 3: tracing and first allocations happen before) to the
    last epoch, and its least-squares slope over those epochs is under 1 MB per epoch. (The grids
    of the fixed latent batch are kept for the GIF, about 60 KB per epoch: expected, and small.)

Not in CI: it takes a few minutes and its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import gan_utils  # noqa: E402
from gan_utils.training import CHECKPOINT_NAME, read_checkpoint, restore_checkpoint  # noqa: E402


def memory_mb() -> tuple[float, float]:
    """(resident now, peak resident so far) of this process, in MB."""
    try:
        fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError):  # no /proc (macOS): the peak is all we get (bytes on macOS, kB on Linux)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak /= 1024 * 1024 if sys.platform == "darwin" else 1024
        return float("nan"), peak


class Soak(keras.callbacks.Callback):
    """After each epoch: measure memory; once fit_gan's Checkpoint (the last callback) has saved the
    epoch, read the checkpoint back and verify it (at the next epoch's start, or at the end of training)."""

    def __init__(self, directory: Path):
        super().__init__()
        self.directory = directory
        self.rows: list[dict] = []
        self.pending: dict | None = None

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._verify_pending()
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        seconds = time.perf_counter() - self.start
        rss, peak = memory_mb()
        self.pending = {"epoch": epoch + 1, "d_loss": float(logs["d_loss"]), "g_loss": float(logs["g_loss"]),
                        "rss": rss, "peak": peak, "seconds": seconds}

    def on_train_end(self, logs: dict | None = None) -> None:
        self._verify_pending()

    def _verify_pending(self) -> None:
        row, self.pending = self.pending, None
        if row is None:
            return
        path = self.directory / CHECKPOINT_NAME
        try:
            _, meta = read_checkpoint(path)  # raises CorruptCheckpointError if damaged
            saved = meta["epoch"]
        except Exception as err:  # noqa: BLE001 - any failure is the finding
            saved = f"UNREADABLE: {err}"
        row.update(checkpoint=saved, size_mb=path.stat().st_size / 2**20 if path.exists() else 0.0)
        self.rows.append(row)
        print(f"{row['epoch']:>5} {row['d_loss']:>8.4f} {row['g_loss']:>8.4f} {str(saved):>10} "
              f"{row['size_mb']:>8.2f} {row['rss']:>9.1f} {row['peak']:>9.1f} {row['seconds']:>7.2f}", flush=True)


def slope(xs: list[float], ys: list[float]) -> float:
    if len(xs) < 2:
        return 0.0
    return float(np.polyfit(xs, ys, 1)[0])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--subset", type=int, default=1024, help="MNIST training images (default 1024)")
    p.add_argument("--batch-size", type=int, help="default: the dcgan recipe's")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output", type=Path, help="checkpoint folder (default: a temporary folder, removed)")
    p.add_argument("--warmup", type=int, default=3, help="epochs before memory growth is measured")
    p.add_argument("--max-growth-mb", type=float, default=64.0)
    args = p.parse_args(argv)
    if args.epochs <= args.warmup + 1:
        p.error(f"--epochs must exceed --warmup + 1 ({args.warmup + 1}) to measure growth")

    overrides = {"epochs": args.epochs, "subset": args.subset}
    if args.batch_size:
        overrides["batch_size"] = args.batch_size
    recipe = gan_utils.get_recipe("dcgan", smoke=False, **overrides)
    gan_utils.set_seed(args.seed)
    images, _ = gan_utils.load_mnist(subset=recipe.subset, seed=args.seed)
    gan = gan_utils.build_gan(recipe, seed=args.seed)

    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        out = args.output or Path(tmp)
        if (out / CHECKPOINT_NAME).exists():
            p.error(f"{out} already holds a checkpoint: give an empty --output folder")
        print(f"soak: {recipe}\n      {len(images)} images, checkpoints in {out}; TensorFlow {tf.__version__}, "
              f"Keras {keras.__version__}, {os.cpu_count()} CPUs", flush=True)
        print(f"{'epoch':>5} {'d_loss':>8} {'g_loss':>8} {'ckpt ep.':>10} {'ckpt MB':>8} {'VmRSS MB':>9} {'VmHWM MB':>9} {'seconds':>7}")
        soak = Soak(out)
        start = time.perf_counter()
        history = gan_utils.fit_gan(gan, images, epochs=recipe.epochs, batch_size=recipe.batch_size,
                                    seed=args.seed, output_dir=out, callbacks=[soak], verbose=0)
        total = time.perf_counter() - start

        fresh = gan_utils.build_gan(recipe, seed=args.seed + 1)
        meta = restore_checkpoint(fresh, out)
        resumable = meta is not None and meta["epoch"] == args.epochs and np.array_equal(fresh.sample(), gan.sample())

    rows = soak.rows
    finite = all(math.isfinite(v) for key in ("d_loss", "g_loss") for v in history.history[key])
    # Checkpoints are written at epoch ends unless they would cost over 5 % of the training time (and
    # every 5 minutes): the one read back after an epoch may be an earlier epoch's, never a bad one.
    lost = [r["epoch"] for r in rows if not isinstance(r["checkpoint"], int) or not 0 < r["checkpoint"] <= r["epoch"]]
    measured = [r for r in rows if r["epoch"] >= args.warmup]
    rss_key = "rss" if not math.isnan(measured[0]["rss"]) else "peak"
    growth = measured[-1][rss_key] - measured[0][rss_key]
    per_epoch = slope([r["epoch"] for r in measured], [r[rss_key] for r in measured])
    no_growth = growth < args.max_growth_mb and per_epoch < 1.0

    print(f"\n{len(rows)} epochs in {total:.0f} s ({total / len(rows):.1f} s per epoch, "
          f"{len(images) // recipe.batch_size} steps each)")
    print(f"losses finite:        {'yes' if finite else 'NO'} "
          f"(final d_loss {rows[-1]['d_loss']:.4f}, g_loss {rows[-1]['g_loss']:.4f})")
    print(f"no checkpoint lost:   {'yes' if not lost else 'NO, epochs ' + str(lost)} "
          f"({len(rows) - len(lost)} of {len(rows)} read back and verified; the last restores into a new GAN "
          f"{'exactly' if resumable else 'WRONGLY'})")
    print(f"no memory growth:     {'yes' if no_growth else 'NO'} ({rss_key} {measured[0][rss_key]:.1f} MB after epoch "
          f"{measured[0]['epoch']}, {measured[-1][rss_key]:.1f} MB after epoch {measured[-1]['epoch']}: "
          f"{growth:+.1f} MB, slope {per_epoch:+.2f} MB/epoch; peak {rows[-1]['peak']:.1f} MB)")
    return 0 if finite and not lost and resumable and no_growth else 1


if __name__ == "__main__":
    raise SystemExit(main())

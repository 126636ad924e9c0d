"""Time to quality: the project's DCGAN against the TensorFlow tutorial's DCGAN, same machine, same loop.

    python benchmarks/time_to_quality.py            # budgets 1, 3, 5 and 15 minutes (~35 min in all)
    python benchmarks/time_to_quality.py --quick    # budgets 0.5 and 1 minute (~5 min)

Each model is trained *once* with ``gan_utils.GAN`` / ``gan_utils.fit_gan`` (so only the recipe
differs): (a) the project's recipe ``"dcgan"``; (b) the tutorial's DCGAN (``reference_dcgan.py``:
batch 256, Adam 1e-4, latent 100). When the training clock passes each budget the generator used for
sampling is saved (the clock stops while it is saved); after both runs every checkpoint is scored
with ``gan_utils.metrics.evaluate`` on 10,000 images from one fixed latent batch (the same normal
draws for both models: the project's 64-long z are the first 64 entries of the reference's 100).
The table gives training seconds, steps, images per second (all images seen / training seconds,
start-up and tracing included), achieved GFLOP/s against the CPU's peak (see :func:`cpu_peak_gflops`
and :func:`training_flops_per_image`), FID (MNIST classifier features), precision, recall and
class KL, plus the real-versus-real floor of the metric. Sample grids of every checkpoint go to
``build/benchmarks/time_to_quality/`` with the raw results (``results.json``).

Not in CI: the figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "build" / "benchmarks" / "time_to_quality"
FULL_BUDGETS = (60.0, 180.0, 300.0, 900.0)
QUICK_BUDGETS = (30.0, 60.0)


# ------------------------------------------------------------------------------ FLOPs and peak
def forward_flops(model: keras.Model) -> int:
    """FLOPs (2 x multiply-accumulates) of one image through ``model``'s Dense and conv layers.

    Batch norm, activations, dropout, the loss and the optimizer update are left out (a few percent).

    Example:
        >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        >>> forward_flops(m)
        24
    """
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            total += 2 * int(layer.kernel.shape[0]) * int(layer.kernel.shape[1])
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            # every input position scatters a kh x kw x c_out patch, computed from c_in channels
            kh, kw, c_out, c_in = (int(d) for d in layer.kernel.shape)
            h, w = (int(d) for d in layer.input.shape[1:3])
            total += 2 * h * w * kh * kw * c_in * c_out
        elif isinstance(layer, keras.layers.Conv2D):
            kh, kw, c_in, c_out = (int(d) for d in layer.kernel.shape)
            h, w = (int(d) for d in layer.output.shape[1:3])
            total += 2 * h * w * kh * kw * c_in * c_out
    return total


def training_flops_per_image(generator: keras.Model, discriminator: keras.Model) -> int:
    """FLOPs per training image of one ``GAN.train_step``: ``4 G + 9 D`` forward passes.

    With G and D the forward FLOPs of one image, and a backward pass counted as twice the forward
    (gradients for the inputs and for the weights): the discriminator's step runs G forward and D
    forward + backward on a real and a generated image (``G + 6 D``); the generator's step runs G
    and D forward + backward (``3 G + 3 D``).
    """
    return 4 * forward_flops(generator) + 9 * forward_flops(discriminator)


def cpu_peak_gflops(flops_per_cycle: int | None = None) -> tuple[float, str]:
    """This machine's theoretical fp32 peak in GFLOP/s, and the assumption it rests on.

    ``cores x clock x FLOPs per cycle per core``. Cores: the CPUs this process may run on. Clock:
    the largest "cpu MHz" of /proc/cpuinfo (on a virtual machine, the nominal TSC rate; turbo is not
    counted). FLOPs per cycle: 64 with AVX-512 (16 fp32 lanes x 2 FLOPs per fused multiply-add x 2
    FMA units), 32 with AVX2 only.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    mhz = [float(v) for v in re.findall(r"cpu MHz\s*:\s*([\d.]+)", info)]
    ghz = max(mhz) / 1000.0 if mhz else 2.0
    name = re.search(r"model name\s*:\s*(.+)", info)
    avx512 = " avx512f" in info
    if flops_per_cycle is None:
        flops_per_cycle = 64 if avx512 else 32
    isa = "AVX-512" if avx512 else "AVX2"
    peak = cores * ghz * flops_per_cycle
    why = (
        f"{cores} cores x {ghz:.2f} GHz x {flops_per_cycle} fp32 FLOP/cycle ({isa}: FMA on "
        f"{flops_per_cycle // 4} lanes x 2 FMA units) = {peak:.0f} GFLOP/s; "
        f"{name.group(1).strip() if name else platform.processor() or 'unknown CPU'}"
    )
    return peak, why


def measured_matmul_gflops(n: int = 2048, repeats: int = 5) -> float:
    """The fp32 GFLOP/s of the best of ``repeats`` ``n x n`` matrix products: what this CPU really delivers.

    On a virtual machine /proc/cpuinfo reports the nominal clock, and turbo can lift a busy model
    above the "peak" of :func:`cpu_peak_gflops`; a large matrix product, the best case for the
    CPU's vector units, is a practical ceiling to compare with.
    """
    import tensorflow as tf

    a = tf.random.stateless_normal((n, n), seed=(1, 2))
    b = tf.random.stateless_normal((n, n), seed=(3, 4))
    tf.linalg.matmul(a, b).numpy()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        tf.linalg.matmul(a, b).numpy()
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


# ------------------------------------------------------------------------------------ training
class TrainingClock(keras.callbacks.Callback):
    """Time every step; at each checkpoint keep the sampler's weights; stop after the last checkpoint.

    The clock starts with ``fit`` (start-up and graph tracing count, as for any user) and stops
    while a checkpoint's weights are copied, so the checkpoints measure training only.
    ``step_ends`` are the clock's readings at the end of each step, for the steady-state speed.
    """

    def __init__(self, checkpoints: Sequence[float], label: str = "time_to_quality"):
        super().__init__()
        self.pending = sorted(float(c) for c in checkpoints)
        self.label = label
        self.snapshots: list[dict] = []

    def on_train_begin(self, logs=None):
        self.start, self.paused, self.step_ends = time.perf_counter(), 0.0, []

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        elapsed = now - self.start - self.paused
        self.step_ends.append(elapsed)
        if not self.pending or elapsed < self.pending[0]:
            return
        budget = self.pending.pop(0)
        weights = [np.array(w) for w in self.model.sampler.get_weights()]
        self.snapshots.append({"budget_s": budget, "train_s": elapsed, "steps": len(self.step_ends), "weights": weights})
        print(f"[{self.label}] {self.model.name}: checkpoint {budget:g} s after {len(self.step_ends)} steps", flush=True)
        self.paused += time.perf_counter() - now
        if not self.pending:
            self.model.stop_training = True


def steady_images_per_second(step_ends: Sequence[float], batch_size: int, warmup_steps: int) -> float:
    """Images per second of the steps after the first ``warmup_steps`` (at most half of the steps).

    Example:
        >>> steady_images_per_second([10.0, 11.0, 12.0, 13.0], batch_size=32, warmup_steps=1)
        32.0
    """
    if len(step_ends) < 2:
        return batch_size * len(step_ends) / step_ends[-1] if step_ends else float("nan")
    skip = max(1, min(warmup_steps, len(step_ends) // 2))
    return batch_size * (len(step_ends) - skip) / (step_ends[-1] - step_ends[skip - 1])


def train_until(gan, images: np.ndarray, batch_size: int, checkpoints: Sequence[float], seed: int, label: str) -> TrainingClock:
    """Train one GAN with ``fit_gan`` until the clock passes its last checkpoint; return the clock."""
    import gan_utils

    clock = TrainingClock(checkpoints, label)
    gan_utils.fit_gan(gan, images, epochs=100_000, batch_size=batch_size, seed=seed, callbacks=[clock], verbose=0)
    if clock.pending:
        raise RuntimeError(f"{gan.name} stopped before its checkpoints {clock.pending} s (100,000 epochs ran out).")
    return clock


def train_with_checkpoints(label: str, gan, batch_size: int, budgets, images: np.ndarray, seed: int) -> list[dict]:
    """Train one GAN until the last budget; save the sampler of each budget and return one record per budget."""
    clock = train_until(gan, images, batch_size, budgets, seed, "time_to_quality")
    flops = training_flops_per_image(gan.generator, gan.discriminator)
    records = []
    for snap in clock.snapshots:
        path = OUT / f"{label}_{int(snap['budget_s'])}s_generator.keras"
        gan.sampler.set_weights(snap["weights"])
        gan.sampler.save(path)
        images_per_s = snap["steps"] * batch_size / snap["train_s"]
        records.append({
            "model": label, "budget_s": snap["budget_s"], "train_s": snap["train_s"], "steps": snap["steps"],
            "images": snap["steps"] * batch_size, "images_per_s": images_per_s, "generator": str(path),
            "mflop_per_image": flops / 1e6, "gflops": images_per_s * flops / 1e9,
        })
    return records


def fixed_latents(n: int, latent_dim: int, seed: int = 2024, width: int = 128) -> np.ndarray:
    """The benchmark's fixed latent batch: the first ``latent_dim`` of ``width`` seeded normals per row."""
    return np.random.default_rng(seed).standard_normal((n, width)).astype("float32")[:, :latent_dim]


def score(records: list[dict], samples: int) -> None:
    """Score each checkpoint's generator on the fixed latent batch and save its sample grid."""
    from gan_utils import metrics, plotting, pretrained

    for r in records:
        generator = pretrained.load_model_safely(r["generator"])
        z = fixed_latents(samples, int(generator.inputs[0].shape[-1]))
        fake = np.asarray(generator.predict(z, batch_size=1000, verbose=0))
        s = metrics.evaluate(fake)
        r.update({k: float(s[k]) for k in ("fid", "precision", "recall", "class_kl", "confidence")})
        r["class_histogram"] = [round(float(v), 4) for v in s["class_histogram"]]
        grid = OUT / f"{r['model']}_{int(r['budget_s'])}s.png"
        plotting.save_image(plotting.image_grid(fake[:100], ncols=10), grid)
        r["grid"] = str(grid.relative_to(REPO))


def print_table(records: list[dict], floor: dict, peak: float, why: str, matmul: float) -> None:
    print(f"\nCPU peak assumed: {why}")
    print(f"Measured ceiling: a 2048 x 2048 fp32 matrix product runs at {matmul:.0f} GFLOP/s "
          f"({100 * matmul / peak:.0f}% of the nominal peak; above 100% means turbo beyond the nominal clock)")
    print(f"Scores: gan_utils.metrics.evaluate on {floor['n']} generated images vs {floor['n_reference']} MNIST test images; "
          f"real-vs-real floor (10,000 training images): FID {floor['fid']:.2f}, precision {floor['precision']:.3f}, "
          f"recall {floor['recall']:.3f}, class KL {floor['class_kl']:.4f}\n")
    print("| model | budget | training s | steps | images/s | MFLOP/image | GFLOP/s | % of nominal peak | % of matmul | FID | precision | recall | class KL |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in records:
        print(
            f"| {r['model']} | {r['budget_s'] / 60:g} min | {r['train_s']:.0f} | {r['steps']} | {r['images_per_s']:.0f} | "
            f"{r['mflop_per_image']:.0f} | {r['gflops']:.1f} | {100 * r['gflops'] / peak:.1f} | {100 * r['gflops'] / matmul:.1f} | {r['fid']:.2f} | "
            f"{r['precision']:.3f} | {r['recall']:.3f} | {r['class_kl']:.4f} |"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="budgets of 0.5 and 1 minute instead of 1, 3, 5 and 15")
    p.add_argument("--budgets", type=float, nargs="+", metavar="SECONDS", help="training-time checkpoints")
    p.add_argument("--models", nargs="+", default=["dcgan", "reference"], choices=("dcgan", "reference"))
    p.add_argument("--samples", type=int, default=10_000, help="generated images per score (default 10,000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--table", action="store_true", help="print the table of the last run's results.json again (no training)")
    args = p.parse_args(argv)
    budgets = args.budgets or (QUICK_BUDGETS if args.quick else FULL_BUDGETS)
    if args.table:
        saved = json.loads((OUT / "results.json").read_text())
        matmul = saved.get("matmul_gflops") or measured_matmul_gflops()
        floor = dict(saved["real_floor"], n=args.samples, n_reference=10_000)
        print_table(saved["records"], floor, saved["peak_gflops"], saved["peak_assumption"], matmul)
        return 0

    import gan_utils
    from gan_utils import metrics
    from gan_utils.data import load_mnist
    from gan_utils.recipes import build_gan, get_recipe
    from reference_dcgan import REFERENCE_BATCH_SIZE, build_reference_gan

    OUT.mkdir(parents=True, exist_ok=True)
    peak, why = cpu_peak_gflops()
    images, _ = load_mnist()
    print(f"[time_to_quality] budgets {list(budgets)} s; {platform.machine()}, {why}; "
          f"load average before start {os.getloadavg()[0]:.2f}", flush=True)
    records: list[dict] = []
    for label in args.models:
        gan_utils.set_seed(args.seed)
        if label == "dcgan":
            recipe = get_recipe("dcgan", smoke=False)
            gan, batch_size = build_gan(recipe, seed=args.seed), recipe.batch_size
            print(f"[time_to_quality] dcgan recipe: {recipe}", flush=True)
        else:
            gan, batch_size = build_reference_gan(seed=args.seed), REFERENCE_BATCH_SIZE
        load_before = os.getloadavg()[0]
        rows = train_with_checkpoints(label, gan, batch_size, budgets, images, args.seed)
        for r in rows:
            r["load_average_1min"] = (load_before, os.getloadavg()[0])
        records += rows
    score(records, args.samples)
    floor = metrics.real_floor(args.samples)
    matmul = measured_matmul_gflops()
    print_table(records, floor, peak, why, matmul)
    (OUT / "results.json").write_text(
        json.dumps({"budgets": list(budgets), "peak_gflops": peak, "peak_assumption": why, "matmul_gflops": matmul,
                    "real_floor": {k: floor[k] for k in ("fid", "precision", "recall", "class_kl")},
                    "records": records}, indent=2) + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

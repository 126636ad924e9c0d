"""Measure the choices behind the "dcgan" recipe: speed sweeps and fixed-time quality sweeps.

    python benchmarks/tune_dcgan.py speed width         # images/s for widths 16..64 (round robin)
    python benchmarks/tune_dcgan.py speed batch|jit|data|steps_per_execution|reference
    python benchmarks/tune_dcgan.py quality NAME KEY=VALUE ... --seconds 180   # train, score, save grid

Speed: every variant of a sweep is built in one process and timed in turns (``--rounds`` rounds of
``--steps`` steps each), so that the other processes on a shared machine slow all of them alike; the
table reports the median time per step over the rounds, images per second, the ratio to the first
row, and achieved GFLOP/s against the CPU's peak (see ``time_to_quality.py``).

Quality: one training run of ``--seconds`` with the recipe ``dcgan`` (or ``vanilla``) and the
given field overrides (``width=48 batch_size=32 d_lr=5e-4 g_lr=5e-4 beta_1=0.5 ema_decay=0.999``)
writes ``build/benchmarks/tune/<tag>/`` (generator, run.json, a 100-sample grid). ``score`` then
scores every such folder with ``gan_utils.metrics.evaluate`` on 10,000 samples from a fixed latent
batch (and the raw generator too when the run kept a moving average); ``table`` prints them.

Not in CI: the numbers depend on the machine. Results and their reading are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import gan_utils  # noqa: E402
from gan_utils import plotting, pretrained  # noqa: E402
from gan_utils.data import load_mnist, make_dataset  # noqa: E402
from gan_utils.recipes import build_gan, get_recipe  # noqa: E402
from reference_dcgan import REFERENCE_BATCH_SIZE, build_reference_gan  # noqa: E402
from time_to_quality import cpu_peak_gflops, training_flops_per_image  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "build" / "benchmarks"


# ------------------------------------------------------------------------------------- speed
class _StepClock(keras.callbacks.Callback):
    """Record (step index, time) at the end of each execution (one or ``steps_per_execution`` steps)."""

    def on_train_begin(self, logs=None):
        self.times, self.batches = [time.perf_counter()], [-1]

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter())
        self.batches.append(batch)

    def seconds_per_step(self, skip: int = 3) -> float:
        """Median seconds per step over the executions after the first ``skip`` (iterator start-up)."""
        t, b = np.asarray(self.times[1 + skip :]), np.asarray(self.batches[1 + skip :])
        return float(np.median(np.diff(t) / np.diff(b)))


def tutorial_dataset(images: np.ndarray, batch_size: int, seed: int = 0) -> tf.data.Dataset:
    """The TensorFlow tutorial's pipeline: slices, a 60,000-element shuffle buffer, batch."""
    ds = tf.data.Dataset.from_tensor_slices(images).shuffle(len(images), seed=seed).batch(batch_size, drop_remainder=True)
    return ds.repeat()


def constant_dataset(images: np.ndarray, batch_size: int) -> tf.data.Dataset:
    """No pipeline at all: the same in-memory batch every step (the upper bound of any pipeline)."""
    return tf.data.Dataset.from_tensors(tf.constant(images[:batch_size])).repeat()


@dataclasses.dataclass
class Variant:
    label: str
    gan: gan_utils.GAN
    batch_size: int
    dataset: str = "gather"  # gather (make_dataset) | tutorial | constant
    deterministic: bool = False  # TensorFlow's op determinism (gan_utils.set_seed switches it on)
    iterator: object = None
    step_seconds: list = dataclasses.field(default_factory=list)
    cpu_seconds: list = dataclasses.field(default_factory=list)


def _recipe_variant(label, name="dcgan", dataset="gather", steps_per_execution=1, deterministic=False, arch=None, **overrides):
    if arch is not None:
        overrides["architecture"] = register_arch(arch)
    recipe = get_recipe(name, smoke=False, **overrides)
    gan = build_gan(recipe, seed=0)
    if steps_per_execution != 1:
        gan.compile(
            d_optimizer=gan.d_optimizer,
            g_optimizer=gan.g_optimizer,
            jit_compile=recipe.jit_compile,
            steps_per_execution=steps_per_execution,
        )
    return Variant(label, gan, recipe.batch_size, dataset, deterministic)


SWEEPS = {
    "width": lambda: [_recipe_variant(f"width={w}", width=w) for w in (16, 24, 32, 48, 64)],
    "batch": lambda: [_recipe_variant(f"batch_size={b}", batch_size=b) for b in (16, 32, 64, 128, 256)],
    "jit": lambda: [
        v
        for b in (32, 64, 128)
        for v in (
            _recipe_variant(f"batch {b}, jit_compile=False", batch_size=b, jit_compile=False),
            _recipe_variant(f"batch {b}, jit_compile=True", batch_size=b, jit_compile=True),
        )
    ],
    "data": lambda: [
        _recipe_variant("make_dataset (one gather per batch)", dataset="gather"),
        _recipe_variant("tutorial: from_tensor_slices.shuffle(60000).batch", dataset="tutorial"),
        _recipe_variant("constant batch (no input pipeline)", dataset="constant"),
    ],
    "determinism": lambda: [
        _recipe_variant("op determinism off", deterministic=False),
        _recipe_variant("op determinism on (gan_utils.set_seed)", deterministic=True),
    ],
    "arch": lambda: [
        _recipe_variant("two convolutions each, no hidden layer, no batch norm in D (the first recipe)", arch="base"),
        _recipe_variant("+ Dense(256) in G, BN + Dense(256) + BN in D (the recipe)"),
        _recipe_variant("+ Dense(1024) in G and D (InfoGAN's size)", arch="info"),
    ],
    "steps_per_execution": lambda: [
        _recipe_variant(f"steps_per_execution={s}", steps_per_execution=s) for s in (1, 4, 32)
    ],
    "reference": lambda: [
        _recipe_variant("project dcgan recipe (the recipe's batch size)"),
        Variant("reference (TF tutorial DCGAN, batch 256)", build_reference_gan(seed=0), REFERENCE_BATCH_SIZE),
        Variant("reference, jit_compile=True", build_reference_gan(seed=0, jit_compile=True), REFERENCE_BATCH_SIZE),
    ],
    "vanilla": lambda: [
        _recipe_variant(f"vanilla width={w} batch={b}", name="vanilla", width=w, batch_size=b)
        for w in (256, 512, 1024)
        for b in (64, 128)
    ],
}


def _dataset(v: Variant, images: np.ndarray) -> tf.data.Dataset:
    if v.dataset == "gather":
        return make_dataset(images, batch_size=v.batch_size, seed=0, epochs=10_000)
    if v.dataset == "tutorial":
        return tutorial_dataset(images, v.batch_size)
    return constant_dataset(images, v.batch_size)


def _determinism(on: bool) -> None:
    from tensorflow.python.framework import config as tf_config

    if on:
        tf_config.enable_op_determinism()
    else:
        tf_config.disable_op_determinism()


def run_speed(sweep: str, steps: int, rounds: int, warmup: int = 30) -> list[dict]:
    images, _ = load_mnist()
    variants = SWEEPS[sweep]()
    peak, why = cpu_peak_gflops()
    for v in variants:  # build, trace and warm up every variant before timing any of them
        _determinism(v.deterministic)
        v.iterator = _dataset(v, images)
        v.gan.fit(v.iterator, epochs=1, steps_per_epoch=warmup, verbose=0)
    for r in range(rounds):
        for v in variants:
            _determinism(v.deterministic)
            clock = _StepClock()
            cpu0 = time.process_time()
            v.gan.fit(v.iterator, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[clock])
            cpu = time.process_time() - cpu0
            v.step_seconds.append(clock.seconds_per_step())
            v.cpu_seconds.append(cpu / steps)
        print(f"round {r + 1}/{rounds} done", file=sys.stderr, flush=True)
    rows = []
    base = None
    for v in variants:
        step = float(np.median(v.step_seconds))
        ips = v.batch_size / step
        flops = training_flops_per_image(v.gan.generator, v.gan.discriminator)
        base = base or ips
        rows.append(
            {
                "variant": v.label,
                "batch": v.batch_size,
                "ms_per_step": 1000 * step,
                "ms_per_step_range": (1000 * min(v.step_seconds), 1000 * max(v.step_seconds)),
                "images_per_s": ips,
                "cpu_ms_per_image": 1000 * float(np.median(v.cpu_seconds)) / v.batch_size,
                "vs_first": ips / base,
                "mflop_per_image": flops / 1e6,
                "gflops": ips * flops / 1e9,
                "peak_pct": 100 * ips * flops / 1e9 / peak,
            }
        )
    print(f"\n### speed sweep: {sweep} ({rounds} rounds x {steps} steps, median; peak {peak:.0f} GFLOP/s = {why})\n")
    print("| variant | batch | ms/step (min-max) | images/s | x first row | CPU ms/image | MFLOP/image | GFLOP/s | % peak |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        lo, hi = r["ms_per_step_range"]
        print(
            f"| {r['variant']} | {r['batch']} | {r['ms_per_step']:.1f} ({lo:.1f}-{hi:.1f}) | {r['images_per_s']:.0f} | "
            f"{r['vs_first']:.2f} | {r['cpu_ms_per_image']:.3f} | {r['mflop_per_image']:.1f} | {r['gflops']:.1f} | "
            f"{r['peak_pct']:.1f} |"
        )
    return rows


# ----------------------------------------------------------------------------------- quality
def _parse_overrides(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if value in ("None", "none"):
            out[key] = None
        elif value in ("True", "False"):
            out[key] = value == "True"
        else:
            try:
                out[key] = int(value)
            except ValueError:
                out[key] = float(value)
    return out


class _StopAfter(keras.callbacks.Callback):
    """Stop after a number of training images (a fixed amount of work, whatever the machine's load)."""

    def __init__(self, images: int, batch_size: int):
        super().__init__()
        self.steps, self.done = max(1, images // batch_size), 0

    def on_train_batch_end(self, batch, logs=None):
        self.done += 1
        if self.done >= self.steps:
            self.model.stop_training = True


from gan_utils import models as _models  # noqa: E402

_RECIPE_G, _RECIPE_D = _models._dcgan_generator_body, _models._dcgan_discriminator_body


def _BASE_G(h, image_shape, width, *_):
    """The first recipe's generator: no fully connected hidden layer."""
    return _RECIPE_G(h, image_shape, width, 0)


def _BASE_D(x, width, *_):
    """The first recipe's discriminator: two convolutions, no batch norm, no hidden layer."""
    return _RECIPE_D(x, width, 0)


# Architecture variants tried against the current models.py (registered as recipe architectures by
# register_arch for one run, never shipped
# from here): each replaces the shared DCGAN bodies of gan_utils.models.
def _g_body_variant(kernel=4, g_act="relu", extra_conv=False):
    from keras import layers

    def body(h, image_shape, width, *_):
        height, w_, channels = image_shape
        h = layers.Dense((height // 4) * (w_ // 4) * 2 * width, use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.ReLU()(h) if g_act == "relu" else layers.LeakyReLU(0.2)(h)
        h = layers.Reshape((height // 4, w_ // 4, 2 * width))(h)
        h = layers.Conv2DTranspose(width, kernel, strides=2, padding="same", use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.ReLU()(h) if g_act == "relu" else layers.LeakyReLU(0.2)(h)
        if extra_conv:
            h = layers.Conv2DTranspose(width // 2, kernel, strides=2, padding="same", use_bias=False)(h)
            h = layers.BatchNormalization()(h)
            h = layers.ReLU()(h)
            return layers.Conv2D(channels, 3, padding="same", activation="tanh", name="image")(h)
        return layers.Conv2DTranspose(channels, kernel, strides=2, padding="same", activation="tanh", name="image")(h)

    return body


def _d_body_variant(kernel=4, bn=False, dropout=0.0):
    from keras import layers

    def body(x, width, *_):
        h = layers.Conv2D(width, kernel, strides=2, padding="same")(x)
        h = layers.LeakyReLU(0.2)(h)
        if dropout:
            h = layers.Dropout(dropout)(h)
        h = layers.Conv2D(2 * width, kernel, strides=2, padding="same", use_bias=not bn)(h)
        if bn:
            h = layers.BatchNormalization()(h)
        h = layers.LeakyReLU(0.2)(h)
        if dropout:
            h = layers.Dropout(dropout)(h)
        return layers.Flatten()(h)

    return body


def _scaled(body, factor):
    def scaled(*args):
        if len(args) == 3:  # generator body (h, image_shape, width)
            return body(args[0], args[1], int(args[2] * factor))
        return body(args[0], int(args[1] * factor))

    return scaled


def _d_body_fc(units=1024, bn=False):
    from keras import layers

    def body(x, width, *_):
        h = _BASE_D(x, width)
        h = layers.Dense(units, use_bias=not bn)(h)
        if bn:
            h = layers.BatchNormalization()(h)
        return layers.LeakyReLU(0.2)(h)

    return body


def _g_body_fc(units=1024):
    from keras import layers

    def body(h, image_shape, width, *_):
        h = layers.Dense(units, use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.ReLU()(h)
        return _BASE_G(h, image_shape, width)

    return body


def _g_body_norm(norm="layer", width_factor=1):
    """The base generator with batch norm replaced (per-sample layer norm, or none)."""
    from keras import layers

    def normalize(h):
        if norm == "layer":
            return layers.LayerNormalization(axis=list(range(1, len(h.shape))))(h)
        return h

    def body(h, image_shape, width, *_):
        width = int(width * width_factor)
        height, w_, channels = image_shape
        h = layers.Dense((height // 4) * (w_ // 4) * 2 * width, use_bias=norm != "layer")(h)
        h = layers.ReLU()(normalize(h))
        h = layers.Reshape((height // 4, w_ // 4, 2 * width))(h)
        h = layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=norm != "layer")(h)
        h = layers.ReLU()(normalize(h))
        return layers.Conv2DTranspose(channels, 4, strides=2, padding="same", activation="tanh", name="image")(h)

    return body


def _d_body_info(units=1024):
    """InfoGAN's MNIST discriminator: conv, conv + BN, Dense + BN, all LeakyReLU(0.1)."""
    from keras import layers

    def body(x, width, *_):
        h = layers.Conv2D(width, 4, strides=2, padding="same")(x)
        h = layers.LeakyReLU(0.1)(h)
        h = layers.Conv2D(2 * width, 4, strides=2, padding="same", use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.LeakyReLU(0.1)(h)
        h = layers.Flatten()(h)
        h = layers.Dense(units, use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        return layers.LeakyReLU(0.1)(h)

    return body


ARCHS = {
    "info_g0": {"d": _d_body_info(1024)},
    "info_d256": {"g": _g_body_fc(1024), "d": _d_body_info(256)},
    "info_g256_d256": {"g": _g_body_fc(256), "d": _d_body_info(256)},
    "info": {"g": _g_body_fc(1024), "d": _d_body_info(1024)},
    "gfc_dfc": {"g": _g_body_fc(1024), "d": _d_body_fc(1024)},
    "gln": {"g": _g_body_norm("layer")},
    "gnone": {"g": _g_body_norm("none")},
    "gln2": {"g": _g_body_norm("layer", 2)},
    "gw2": {"g": _scaled(_BASE_G, 2)},
    "dw2": {"d": _scaled(_BASE_D, 2)},
    "dfc": {"d": _d_body_fc(1024)},
    "gfc": {"g": _g_body_fc(1024)},
    "base": {"g": _BASE_G, "d": _BASE_D},
    "recipe": {"g": _RECIPE_G, "d": _RECIPE_D},
    "dbn": {"d": _d_body_variant(bn=True)},
    "k5": {"g": _g_body_variant(kernel=5), "d": _d_body_variant(kernel=5)},
    "k3d": {"d": _d_body_variant(kernel=3)},
    "g3": {"g": _g_body_variant(extra_conv=True)},
    "glrelu": {"g": _g_body_variant(g_act="lrelu")},
    "ddrop": {"d": _d_body_variant(dropout=0.3)},
}


def register_arch(names: str | None) -> str | None:
    """Register the combination of the named variants (comma-separated; later ones win) as an
    architecture of gan_utils.recipes and return its name, for ``get_recipe(..., architecture=name)``."""
    if not names:
        return None
    from keras import layers

    from gan_utils import recipes

    g_body, d_body = _RECIPE_G, _RECIPE_D
    for name in names.split(","):
        g_body, d_body = ARCHS[name].get("g", g_body), ARCHS[name].get("d", d_body)
    full = f"tune:{names}"

    @recipes.register_architecture(full)
    def build(recipe, image_shape):
        dense = _models.DENSE_PER_WIDTH * recipe.width
        z = keras.Input((recipe.latent_dim,), name="z")
        generator = keras.Model(z, g_body(z, image_shape, recipe.width, dense), name="dcgan_generator")
        x = keras.Input(image_shape, name="image")
        logit = layers.Dense(1, name="logit")(d_body(x, recipe.width, dense))
        return generator, keras.Model(x, logit, name="dcgan_discriminator")

    return full


def run_quality(name: str, overrides: dict, seconds: float | None, seed: int, tag: str, images_seen: int | None = None, monitor: int = 0) -> dict:
    """Train one configuration for ``seconds`` (or ``images_seen`` images), save its sampler and a grid."""
    recipe = get_recipe(name, smoke=False, epochs=1000, **overrides)
    gan_utils.set_seed(seed)
    images, _ = load_mnist(subset=recipe.subset, seed=seed)
    gan = build_gan(recipe, seed=seed)
    budget = gan_utils.TimeBudget(seconds) if seconds else _StopAfter(images_seen, recipe.batch_size)
    clock = _StepClock()
    monitors = []
    if monitor:  # score 2,000 samples every `monitor` epochs: the quality curve of a long run
        from gan_utils import metrics

        monitors = [metrics.QualityMonitor(every=monitor, n_samples=2000, show_floor=False)]
    start = time.perf_counter()
    history = gan_utils.fit_gan(
        gan, images, epochs=recipe.epochs, batch_size=recipe.batch_size, seed=seed,
        callbacks=[budget, clock] + monitors, verbose=0, sample_every=10_000,
    )
    train_seconds = time.perf_counter() - start
    folder = OUT / "tune" / tag
    pretrained.save_model_atomic(gan.sampler, folder / "generator.keras")
    if gan.ema_generator is not None:  # also keep the raw generator: what the moving average buys
        pretrained.save_model_atomic(gan.generator, folder / "raw_generator.keras")
    result = {
        "tag": tag,
        "model": name,
        "overrides": overrides,
        "arch": getattr(run_quality, "arch", None),
        "recipe": dataclasses.asdict(recipe),
        "seed": seed,
        "seconds": round(train_seconds, 1),
        "steps": int(gan.d_optimizer.iterations.numpy()),
        "images_per_s": round(int(gan.d_optimizer.iterations.numpy()) * recipe.batch_size / train_seconds, 1),
        "final_losses": {k: round(v[-1], 3) for k, v in history.history.items()},
        "curve": [{k: r[k] for k in ("epoch", "fid", "precision", "recall", "class_kl")} for r in monitors[0].results] if monitors else None,
    }
    pretrained.write_json(result, folder / "run.json")
    fake = sample(gan.sampler, 100)
    plotting.save_image(plotting.image_grid(fake, ncols=10), folder / "samples.png")
    print(json.dumps(result), flush=True)
    return result


def sample(generator: keras.Model, n: int, seed: int = 1234) -> np.ndarray:
    """``n`` images from a fixed latent batch (the same z for every model of equal latent length)."""
    z = np.random.default_rng(seed).standard_normal((n, int(generator.inputs[0].shape[-1]))).astype("float32")
    return np.asarray(generator.predict(z, batch_size=500, verbose=0))


def _score(generator: keras.Model, samples: int) -> dict:
    from gan_utils import metrics  # built by the metrics room; imported late so training need not wait

    s = metrics.evaluate(sample(generator, samples))
    out = {k: float(s[k]) for k in ("fid", "precision", "recall", "class_kl")}
    out["class_histogram"] = np.asarray(s["class_histogram"], dtype=float).round(4).tolist()
    out["confidence"] = float(np.mean(s["confidence"]))
    return out


def run_score(samples: int = 10_000, pattern: str = "*") -> None:
    """Score every trained configuration in build/benchmarks/tune/ that has no scores.json yet."""
    for folder in sorted((OUT / "tune").glob(pattern)):
        if not (folder / "generator.keras").exists() or (folder / "scores.json").exists():
            continue
        result = json.loads((folder / "run.json").read_text())
        result["scores"] = _score(pretrained.load_model_safely(folder / "generator.keras"), samples)
        if (folder / "raw_generator.keras").exists():
            result["raw_scores"] = _score(pretrained.load_model_safely(folder / "raw_generator.keras"), samples)
        pretrained.write_json(result, folder / "scores.json")
        s = result["scores"]
        print(f"{folder.name}: FID {s['fid']:.2f} P {s['precision']:.3f} R {s['recall']:.3f} KL {s['class_kl']:.4f}"
              + (f" (raw FID {result['raw_scores']['fid']:.2f})" if "raw_scores" in result else ""), flush=True)


def table(pattern: str = "*") -> None:
    """Print the scored runs as a markdown table."""
    print("| run | s | steps | img/s | FID | precision | recall | class KL | raw-G FID |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for folder in sorted((OUT / "tune").glob(pattern)):
        if not (folder / "scores.json").exists():
            continue
        r = json.loads((folder / "scores.json").read_text())
        s, raw = r["scores"], r.get("raw_scores")
        print(f"| {r['tag']} | {r['seconds']:.0f} | {r['steps']} | {r['images_per_s']:.0f} | {s['fid']:.2f} | "
              f"{s['precision']:.3f} | {s['recall']:.3f} | {s['class_kl']:.4f} | {raw['fid'] if raw else float('nan'):.2f} |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("speed", help="time the variants of one choice in turns")
    s.add_argument("sweep", choices=sorted(SWEEPS))
    s.add_argument("--steps", type=int, default=100)
    s.add_argument("--rounds", type=int, default=5)
    s.add_argument("--warmup", type=int, default=30, help="untimed steps per variant first (tracing)")
    q = sub.add_parser("quality", help="train one configuration for a fixed time and score it")
    q.add_argument("model", choices=("dcgan", "vanilla"))
    q.add_argument("overrides", nargs="*", metavar="FIELD=VALUE")
    q.add_argument("--seconds", type=float, help="training time budget")
    q.add_argument("--images", type=int, help="train on this many images instead (fixed work, load-independent)")
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--tag", help="name of the run folder (default: built from the overrides)")
    q.add_argument("--monitor", type=int, default=0, metavar="EPOCHS", help="score 2,000 samples every EPOCHS epochs")
    q.add_argument("--arch", help=f"architecture variants to patch in, comma-separated: {', '.join(ARCHS)}")
    sc = sub.add_parser("score", help="score every trained configuration not scored yet")
    sc.add_argument("pattern", nargs="?", default="*")
    sc.add_argument("--samples", type=int, default=10_000)
    t = sub.add_parser("table", help="print the scored configurations as a markdown table")
    t.add_argument("pattern", nargs="?", default="*")
    args = p.parse_args(argv)
    if args.command == "speed":
        run_speed(args.sweep, args.steps, args.rounds, args.warmup)
    elif args.command == "score":
        run_score(args.samples, args.pattern)
    elif args.command == "table":
        table(args.pattern)
    else:
        overrides = _parse_overrides(args.overrides)
        if (args.seconds is None) == (args.images is None):
            p.error("give exactly one of --seconds and --images")
        length = f"{int(args.seconds)}s" if args.seconds else f"{args.images // 1000}k"
        if args.arch:
            overrides["architecture"] = register_arch(args.arch)
        run_quality.arch = args.arch
        tag = args.tag or "_".join([args.model, *([f"arch={args.arch}"] if args.arch else []), *args.overrides, length, f"seed{args.seed}"])
        run_quality(args.model, overrides, args.seconds, args.seed, tag, args.images, args.monitor)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

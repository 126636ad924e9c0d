"""Train the project's MNIST classifier, the judge behind gan_utils.metrics (FID, precision/recall, class balance).

    GAN_UTILS_MNIST=/path/to/mnist.npz python scripts/train_classifier.py      # a few minutes on 2 CPU cores

Trains :func:`gan_utils.metrics.build_classifier` on the 60,000 MNIST training images, scaled to
[-1, 1] like a generator's output, refuses to ship it below ``--min-accuracy`` on the 10,000 test
images, then writes ``files/classifier/mnist_classifier.json`` and ``.weights.npz`` (atomically), refreshes
``files/SHA256SUMS`` and writes the model card ``files/classifier/mnist_classifier.md`` with the
test accuracy and the real-versus-real floors, both measured through ``gan_utils.metrics`` from
the saved, checksum-verified file.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

import gan_utils
from gan_utils import metrics, pretrained
from gan_utils.data import load_mnist, mnist_source

sys.path.insert(0, str(Path(__file__).resolve().parent))
import update_checksums  # noqa: E402  (the sibling script: one place writes SHA256SUMS)

#: Sample sizes at which the real-versus-real floor is recorded in the model card.
FLOOR_SIZES = (1000, 2000, 5000, 10_000)
#: Sizes and seeds over which the floor's sampling spread is measured.
SPREAD_SIZES = (2000, 10_000)
SPREAD_SEEDS = range(5)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=6, help="passes over the 60,000 training images (default 6)")
    p.add_argument("--batch-size", type=int, default=128, help="images per step (default 128)")
    p.add_argument("--learning-rate", type=float, default=2e-3, help="Adam's initial rate, cosine-decayed to 0 (default 2e-3)")
    p.add_argument("--seed", type=int, default=0, help="seed for weights and data order (default 0)")
    p.add_argument("--min-accuracy", type=float, default=0.99, help="refuse to save below this test accuracy (default 0.99)")
    p.add_argument("--data", type=Path, help="MNIST .npz (default: $GAN_UTILS_MNIST, else Keras' download)")
    args = p.parse_args(argv)
    for name in ("epochs", "batch_size"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be a positive integer")
    if not args.learning_rate > 0:
        p.error("--learning-rate must be positive")
    return args


def hardware() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpus = len(tf.config.list_physical_devices("GPU"))
    return f"{cores} CPU cores ({cpu}), {gpus} GPUs, {platform.system()} {platform.machine()}; machine shared with other jobs"


def write_card(path: Path, text: str) -> None:
    """Write the model card atomically."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def model_card(args, argv, model, info: dict, floors: dict[int, dict], spread: dict[int, list[dict]]) -> str:
    layer_rows = "\n".join(
        f"| `{layer.name}` | {type(layer).__name__} | {tuple(layer.output.shape)} | {layer.count_params():,} |"
        for layer in model.layers
    )
    command = " ".join(["python scripts/train_classifier.py", *argv])
    floor_rows = "\n".join(
        f"| {n:,} train images vs {f['n_reference']:,} test images | {f['fid']:.3f} | {f['precision']:.3f} | "
        f"{f['recall']:.3f} | {f['class_kl']:.4f} | {f['confidence']:.4f} |"
        for n, f in sorted(floors.items())
    )
    spread_rows = "\n".join(
        f"| {n:,} | " + " | ".join(f"{min(r[key] for r in runs):.3f} - {max(r[key] for r in runs):.3f}" for key in ("fid", "precision", "recall")) + " |"
        for n, runs in sorted(spread.items())
    )
    seeds = f"{SPREAD_SEEDS.start}-{SPREAD_SEEDS.stop - 1}"
    return f"""# MNIST classifier (the judge behind `gan_utils.metrics`)

`mnist_classifier.json` (with `mnist_classifier.weights.npz`) is a small convolutional network that classifies MNIST digits. The series
uses it to *score generated images*: its 128-dimensional `features` layer (the penultimate layer)
feeds the **FID (MNIST classifier features)** and the k-NN precision/recall, and its predicted
classes give the class histogram and the mode-collapse alarm. It is **not** the Inception network
of papers: FIDs computed here are only comparable with other FIDs from `gan_utils.metrics`, at the
same number of images.

Load it with `gan_utils.metrics.load_classifier()` (checks `files/SHA256SUMS`, then rebuilds
`gan_utils.models.build_classifier()` and loads the weights: no pickling, any supported Keras). Input: images of shape `(n, 28, 28, 1)` with values in **[-1, 1]** (the range
of a tanh generator; real digits are scaled the same way by `gan_utils.load_mnist`). Output: 10 class
probabilities.

## Result
- **Test accuracy: {info['accuracy']:.4f}** on the 10,000 MNIST test images (test loss {info['test_loss']:.4f};
  measured again from the saved, checksum-verified file through `gan_utils.metrics`: {info['accuracy_from_file']:.4f}).
- Training time: **{info['train_seconds']:.0f} s** ({info['epochs']} epochs, {info['seconds_per_epoch']:.0f} s per epoch)
  on {info['hardware']}.
- Final training accuracy (with dropout on): {info['train_accuracy']:.4f}.

## Real-versus-real floor
What a perfect generator would score: real *training* images evaluated against the 10,000 *test*
images with `gan_utils.metrics.real_floor(n)` (k = {metrics.DEFAULT_K} for precision/recall). FID is
biased upwards for small samples, so compare a generator with the floor at the same `n`. The
classifier was trained on the training images, so their features may sit slightly closer to the
classes than those of unseen images; that is part of the floor.

| sample (seed 0) | FID (MNIST classifier features) | precision | recall | class KL | confidence |
|---|---|---|---|---|---|
{floor_rows}

The floor is one random draw of training images. Over seeds {seeds} (`real_floor(n, seed=s)`) it ranges:

| n | FID (min - max) | precision (min - max) | recall (min - max) |
|---|---|---|---|
{spread_rows}

So at `n = 2,000` a generator scoring inside that FID range cannot be told from real digits by
this judge.
k-NN precision and recall of real against real sit near 0.88, not 1: in 128 dimensions a k = 3
neighbourhood ball does not reach every other real sample.

The reference set is all 10,000 test images; smaller references are *random* (seeded) subsets,
because the test set's two halves differ (MNIST's first 5,000 test digits come from NIST's training
set and are neater than the last 5,000): test images 0-4,999 against 5,000-9,999 score FID
{info['test_halves_fid']:.2f}.

## How it was made
- Command: `GAN_UTILS_MNIST=<mnist.npz> {command}`
- Seed: {args.seed} (`gan_utils.set_seed`, TensorFlow op determinism on).
- Data: MNIST from {info['data_source_kind']}, the standard split: {info['n_train']:,} training images
  (all used for training, no validation split), {info['n_test']:,} test images (used only for the
  final accuracy and as the metrics' reference set). File SHA-256: `{info['data_sha256']}`.
  Pixels scaled to [-1, 1]; no augmentation.
- Optimiser: Adam, learning rate {args.learning_rate:g} with cosine decay to 0 over {info['steps']:,} steps,
  batch size {args.batch_size}, sparse categorical cross-entropy.
- Software: TensorFlow {tf.__version__}, Keras {keras.__version__}, NumPy {np.__version__}, Python {platform.python_version()}.
- Built-in Keras layers only; weights file {info['file_bytes'] / 1e6:.2f} MB.

## Architecture
`gan_utils.metrics.build_classifier()`: {model.count_params():,} parameters ({info['trainable']:,} trainable),
float32. The `features` layer (after its ReLU) gives the 128 numbers behind FID and precision/recall;
dropout is active only during training.

| layer | type | output shape | parameters |
|---|---|---|---|
{layer_rows}

## Limits
- It has only ever seen real digits: on generated images it can be confidently wrong, and
  "confidence" measures how digit-like images look to *this* network, not to people.
- Scores depend on the classifier: retraining it changes every FID. Re-run
  `python scripts/train_classifier.py` only deliberately, and re-measure any numbers quoted in the lessons.
"""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    gan_utils.set_seed(args.seed)
    x_train, y_train = load_mnist(args.data, split="train", value_range=(-1.0, 1.0))
    x_test, y_test = load_mnist(args.data, split="test", value_range=(-1.0, 1.0))
    source = mnist_source(args.data)
    print(f"[train_classifier] {len(x_train)} training and {len(x_test)} test images from {source}", flush=True)

    model = metrics.build_classifier()
    steps = args.epochs * int(np.ceil(len(x_train) / args.batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(args.learning_rate, decay_steps=steps)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, shuffle=True, verbose=2)
    train_seconds = time.perf_counter() - start
    test_loss, accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    print(f"[train_classifier] test accuracy {accuracy:.4f} after {train_seconds:.0f} s", flush=True)
    if accuracy < args.min_accuracy:
        print(
            f"[train_classifier] test accuracy {accuracy:.4f} is below --min-accuracy {args.min_accuracy}: "
            "nothing saved. Train longer (--epochs) or check the data.",
            file=sys.stderr,
        )
        return 1

    # Ship the weights and the builder's arguments (no optimizer state): they load on every Keras.
    pretrained.save_network(model, metrics.CLASSIFIER_PATH)
    path = pretrained.network_files(metrics.CLASSIFIER_PATH)[1]
    update_checksums.main()

    # Everything below is measured from the saved, checksum-verified file, as users will load it.
    metrics.load_classifier()
    accuracy_from_file = metrics.classifier_accuracy()
    floors = {}
    for n in FLOOR_SIZES:
        floors[n] = metrics.real_floor(n)
        print(f"[train_classifier] real-vs-real floor, n={n}: {metrics.format_scores(floors[n])}", flush=True)
    info = {
        "accuracy": float(accuracy),
        "accuracy_from_file": accuracy_from_file,
        "test_loss": float(test_loss),
        "train_accuracy": float(history.history["accuracy"][-1]),
        "train_seconds": train_seconds,
        "epochs": args.epochs,
        "seconds_per_epoch": train_seconds / args.epochs,
        "steps": steps,
        "hardware": hardware(),
        "data_source_kind": "Keras' download" if source == "keras.datasets.mnist" else "an .npz file (GAN_UTILS_MNIST / --data)",
        "data_sha256": pretrained.sha256(source) if Path(source).is_file() else "n/a (Keras download)",
        "n_train": len(x_train),
        "n_test": len(x_test),
        "file_bytes": path.stat().st_size,
        "trainable": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
    }
    spread = {n: [metrics.real_floor(n, seed=s) for s in SPREAD_SEEDS] for n in SPREAD_SIZES}
    for n, runs in spread.items():
        print(f"[train_classifier] floor FID at n={n} over seeds {list(SPREAD_SEEDS)}: {[round(r['fid'], 3) for r in runs]}", flush=True)
    test_features = metrics.reference_outputs()[0]
    info["test_halves_fid"] = metrics.frechet_distance(test_features[:5000], test_features[5000:])
    write_card(metrics.CARD_PATH, model_card(args, argv, model, info, floors, spread))
    print(f"[train_classifier] wrote {path} ({info['file_bytes'] / 1e6:.2f} MB) and {metrics.CARD_PATH}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

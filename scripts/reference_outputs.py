"""Write the reference data of the cross-version tests (``tests/test_compat.py``).

* ``tests/data/shipped_outputs.npz``: what every shipped network outputs on fixed inputs. The tests
  load each shipped network on whatever TensorFlow / Keras / NumPy they run under and compare, so a
  file that loads but computes something else (another Keras reading the weights differently) fails.
* ``tests/data/run/``: a tiny run folder (generator, discriminator, checkpoint) written by this
  environment's Keras, with the outputs it gave, so that CI's other environments (Colab's runtime,
  the oldest declared versions) prove they read what a newer Keras wrote.

Run after retraining anything that ships, and with the newest supported Keras when it changes:

    python scripts/reference_outputs.py            # both
    python scripts/reference_outputs.py --shipped  # only the shipped networks' outputs
"""

from __future__ import annotations

import argparse
import io
import shutil
import tempfile
from pathlib import Path

import numpy as np

import gan_utils
from gan_utils import atomic, metrics, pretrained

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
OUTPUT = DATA / "shipped_outputs.npz"
RUN = DATA / "run"
#: The tiny GAN of the run fixture: the DCGAN recipe at width 4 (a few kB of weights).
RUN_RECIPE = {"latent_dim": 8, "width": 4}
#: Inputs per network: few enough to keep the file small, enough to exercise every digit class.
N = 20


def fixed_inputs(model) -> list[np.ndarray]:
    """Seeded inputs for ``model``: z ~ N(0, 1) or images in [-1, 1], and labels 0..9 if it takes them."""
    rng = np.random.default_rng(0)
    first = tuple(model.inputs[0].shape[1:])
    x = rng.standard_normal((N, *first)) if len(first) == 1 else rng.uniform(-1, 1, (N, *first))
    inputs = [x.astype("float32")]
    if len(model.inputs) == 2:
        inputs.append((np.arange(N) % 10).astype("int32"))
    return inputs


def outputs(model, inputs: list[np.ndarray]) -> np.ndarray:
    """The network's inference output (``training=False``) as a float32 array."""
    return np.asarray(model(inputs if len(inputs) == 2 else inputs[0], training=False), dtype="float32")


def shipped_networks() -> dict[str, object]:
    """Every shipped network by name: ``<model>_<network>`` and ``mnist_classifier``."""
    nets = {f"{m}_{n}": gan_utils.load_pretrained(m, n) for m in pretrained.PRETRAINED for n in pretrained.NETWORKS}
    nets["mnist_classifier"] = metrics.load_classifier()
    return nets


def write_shipped_outputs() -> None:
    """Write ``tests/data/shipped_outputs.npz`` from the shipped networks."""
    arrays = {}
    for name, model in shipped_networks().items():
        inputs = fixed_inputs(model)
        for i, x in enumerate(inputs):
            arrays[f"{name}/input{i}"] = x
        arrays[f"{name}/output"] = outputs(model, inputs)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    atomic.write_bytes(OUTPUT, buffer.getvalue())
    print(f"{OUTPUT}: {len(arrays)} arrays, {OUTPUT.stat().st_size:,} bytes")


def write_run_fixture() -> None:
    """Train the tiny GAN for one epoch on seeded noise images and keep its run folder's networks,
    checkpoint and outputs in ``tests/data/run/``."""
    gan_utils.set_seed(0)
    recipe = gan_utils.get_recipe("dcgan", smoke=False, batch_size=32, **RUN_RECIPE)
    gan = gan_utils.build_gan(recipe)
    images = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype("float32")
    with tempfile.TemporaryDirectory() as tmp:
        gan_utils.fit_gan(gan, images, epochs=1, batch_size=32, output_dir=tmp, verbose=0)
        shutil.rmtree(RUN, ignore_errors=True)
        RUN.mkdir(parents=True)
        shutil.copyfile(Path(tmp) / "checkpoint.npz", RUN / "checkpoint.npz")
    pretrained.save_network(gan.sampler, RUN / "generator")
    pretrained.save_network(gan.discriminator, RUN / "discriminator")
    z = gan.fixed_z.numpy()[:8]
    np.savez(RUN / "outputs.npz", z=z, generator=gan.sample(z), discriminator=np.asarray(gan.discriminator(images[:8], training=False)),
             images=images[:8])
    print(f"{RUN}: {sorted(p.name for p in RUN.iterdir())}")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shipped", action="store_true", help="only tests/data/shipped_outputs.npz")
    args = p.parse_args(argv)
    write_shipped_outputs()
    if not args.shipped:
        write_run_fixture()


if __name__ == "__main__":
    main()

"""Bad input: every public function of gan_utils refuses a wrong argument with an error that says
what was wrong.

The table below has one row per bad input tried: the callable, its positional and keyword
arguments, the exception type expected and a regular expression its message must match. Arguments
that need files, folders or models are built when their row runs, in that row's temporary folder
(``Make(lambda tmp: ...)``).
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from pathlib import Path

import keras
import numpy as np
import pytest
from matplotlib.figure import Figure

import gan_utils
from gan_utils import models, pretrained
from gan_utils.train import main, parse_args
from gan_utils.training import GAN, CorruptCheckpointError, save_checkpoint


# ------------------------------------------------------------------------------------ helpers
class Make:
    """An argument built when its row runs: ``Make(lambda tmp: ...)`` gets the row's tmp_path."""

    def __init__(self, build):
        self.build = build


class MakeArgs(Make):
    """Several positional arguments built together (e.g. a file and its checksum list)."""


def resolve(value, tmp: Path):
    if isinstance(value, Make):
        return value.build(tmp)
    if isinstance(value, (list, tuple)):
        items = []
        for v in value:
            items.extend(v.build(tmp)) if isinstance(v, MakeArgs) else items.append(resolve(v, tmp))
        return type(value)(items)
    if isinstance(value, dict):
        return {k: resolve(v, tmp) for k, v in value.items()}
    return value


def bad(name: str, fn, *args, raises: type[BaseException], match: str, **kwargs):
    """One row: ``fn(*args, **kwargs)`` must raise ``raises`` with a message matching ``match``."""
    return pytest.param(fn, args, kwargs, raises, match, id=name)


@functools.cache
def tiny() -> GAN:
    """A compiled MLP GAN for 28x28x1 images with an 8-long z; no row trains it."""
    gan = GAN(models.build_mlp_generator(8, hidden_units=(8,)), models.build_mlp_discriminator(hidden_units=(8,)), sample_count=4)
    gan.compile()
    return gan


@functools.cache
def tiny_conditional() -> GAN:
    gan = GAN(models.build_conditional_generator(8, width=4), models.build_conditional_discriminator(width=4), sample_count=4)
    gan.compile()
    return gan


def uncompiled() -> GAN:
    return GAN(models.build_mlp_generator(8, hidden_units=(8,)), models.build_mlp_discriminator(hidden_units=(8,)))


def cli(*argv) -> None:
    """Parse a command line as ``python -m gan_utils.train`` does; its usage error becomes the message."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        try:
            parse_args([str(a) for a in argv])
        except SystemExit as exit_:
            raise SystemExit(f"exit {exit_.code}: {stderr.getvalue()}") from None


X = np.zeros((8, 28, 28, 1), "float32")  # eight blank "images" in [-1, 1]
G8, D8 = (lambda: models.build_mlp_generator(8, hidden_units=(8,))), (lambda: models.build_mlp_discriminator(hidden_units=(8,)))


# ------------------------------------------------------------------------- files made per row
def file_with(data: bytes, name: str) -> Make:
    def build(tmp: Path) -> Path:
        (tmp / name).write_bytes(data)
        return tmp / name

    return Make(build)


def npz(name: str, **arrays) -> Make:
    def build(tmp: Path) -> Path:
        np.savez(tmp / name, **arrays)
        return tmp / name

    return Make(build)


def npy(tmp: Path) -> Path:
    np.save(tmp / "mnist.npy", np.zeros((2, 28, 28), np.uint8))
    return tmp / "mnist.npy"


def folder(tmp: Path) -> Path:
    (tmp / "run").mkdir(exist_ok=True)
    return tmp / "run"


def a_file(tmp: Path) -> Path:
    (tmp / "notes.txt").write_text("a file, not a folder")
    return tmp / "notes.txt"


def run_with_checkpoint(tmp: Path) -> Path:
    save_checkpoint(tiny(), tmp / "run", 1)
    return tmp / "run"


def run_of_another_architecture(tmp: Path) -> Path:
    other = GAN(models.build_mlp_generator(8, hidden_units=(16,)), models.build_mlp_discriminator(hidden_units=(16,)))
    other.compile()
    save_checkpoint(other, tmp / "run", 1)
    return tmp / "run"


def run_with_only_a_corrupt_checkpoint(tmp: Path) -> Path:
    (tmp / "run").mkdir()
    (tmp / "run" / "checkpoint.npz").write_bytes(b"PK\x03\x04 cut off while writing")
    return tmp / "run"


def run_with_a_pickled_checkpoint(tmp: Path) -> Path:
    (tmp / "run").mkdir()
    np.savez(tmp / "run" / "checkpoint.npz", meta=np.array([{"epoch": 1}], dtype=object), digest=np.array("0" * 64))
    return tmp / "run"


def run_with_garbage_generator(tmp: Path) -> Path:
    (tmp / "run").mkdir()
    (tmp / "run" / "generator.keras").write_bytes(b"not a keras file")
    return tmp / "run"


def run_with_lambda_generator(tmp: Path) -> Path:
    z = keras.Input((8,))
    keras.Model(z, keras.layers.Lambda(lambda t: t * 2)(z)).save(tmp / "generator.keras")
    return tmp


def weights_and_sums(tmp: Path, *, tamper: bool = False, listed: bool = True) -> tuple[Path, Path]:
    (tmp / "pretrained").mkdir(exist_ok=True)
    weights = tmp / "pretrained" / "g.keras"
    weights.write_bytes(b"shipped")
    sums = tmp / "SHA256SUMS"
    sums.write_text(f"{pretrained.sha256(weights)}  pretrained/{'g' if listed else 'other'}.keras\n")
    if tamper:
        weights.write_bytes(b"shipped, then changed")
    return weights, sums


def weights_outside_the_sums_folder(tmp: Path) -> tuple[Path, Path]:
    weights, _ = weights_and_sums(tmp)
    (tmp / "elsewhere").mkdir()
    (tmp / "elsewhere" / "SHA256SUMS").write_text(f"{pretrained.sha256(weights)}  g.keras\n")
    return weights, tmp / "elsewhere" / "SHA256SUMS"


def malformed_sums(tmp: Path) -> tuple[Path, Path]:
    weights, sums = weights_and_sums(tmp)
    sums.write_text("this line has no digest\n")
    return weights, sums


MISSING = Make(lambda tmp: tmp / "missing.npz")
NAN_IMAGES = np.full((8, 28, 28, 1), np.nan, "float32")
SEED = r"seed must be (a non-negative integer below 2\*\*32|an integer from 0 to 2\*\*32 - 1)"


# ----------------------------------------------------------------------------------- the table
CASES = [
    # setup
    bad("set_seed: a string", gan_utils.set_seed, "0", raises=ValueError, match=SEED + ", got '0'"),
    bad("set_seed: negative", gan_utils.set_seed, -1, raises=ValueError, match=SEED + ", got -1"),
    bad("set_seed: 2**32, beyond NumPy's seeds", gan_utils.set_seed, 2**32, raises=ValueError, match=SEED),
    bad("set_seed: a float", gan_utils.set_seed, 1.5, raises=ValueError, match=SEED + ", got 1.5"),
    bad("colab_url: not a name", gan_utils.colab_url, 42, raises=TypeError, match="notebook"),
    bad("colab_url: not a notebook", gan_utils.colab_url, "intro.txt", raises=ValueError, match=r"\.ipynb"),
    # data: where MNIST comes from
    bad("load_mnist: missing file", gan_utils.load_mnist, MISSING, raises=FileNotFoundError, match=r"MNIST file not found: .*missing\.npz"),
    bad("load_mnist: a folder, not a file", gan_utils.load_mnist, Make(folder), raises=FileNotFoundError, match="MNIST file not found"),
    bad("load_mnist: path of the wrong type", gan_utils.load_mnist, 42, raises=TypeError, match="path must be a file path .*got int"),
    bad("load_mnist: corrupt zip", gan_utils.load_mnist, file_with(b"PK\x03\x04 not really a zip", "mnist.npz"),
        raises=ValueError, match=r"mnist\.npz is not a readable \.npz file"),
    bad("load_mnist: empty file", gan_utils.load_mnist, file_with(b"", "mnist.npz"), raises=ValueError, match="not a readable .npz"),
    bad("load_mnist: a text file", gan_utils.load_mnist, file_with(b"x_train,y_train\n1,2\n", "mnist.csv"),
        raises=ValueError, match="not a readable .npz"),
    bad("load_mnist: an .npy array, not an .npz", gan_utils.load_mnist, Make(npy), raises=ValueError, match=r"single array .*not an \.npz"),
    bad("load_mnist: npz without the MNIST keys", gan_utils.load_mnist, npz("other.npz", images=np.zeros((2, 28, 28), np.uint8)),
        raises=ValueError, match="has no x_train, y_train, x_test, y_test"),
    bad("load_mnist: npz holding pickled objects", gan_utils.load_mnist,
        npz("mnist.npz", x_train=np.array([None]), y_train=np.zeros(1), x_test=np.zeros(1), y_test=np.zeros(1)),
        raises=ValueError, match="not a readable .npz.*allow_pickle=False"),
    bad("load_mnist: images of the wrong shape", gan_utils.load_mnist,
        npz("mnist.npz", x_train=np.zeros((2, 32, 32), np.uint8), y_train=np.zeros(2), x_test=np.zeros((1, 28, 28), np.uint8), y_test=np.zeros(1)),
        raises=ValueError, match=r"x_train has shape \(2, 32, 32\).*expected \(n, 28, 28\)"),
    # data: what to keep
    bad("load_mnist: unknown split", gan_utils.load_mnist, split="validation", raises=ValueError, match="split must be 'train' or 'test', got 'validation'"),
    bad("load_mnist: digit class 10", gan_utils.load_mnist, digits=10, raises=ValueError, match="digits must be integers from 0 to 9, got 10"),
    bad("load_mnist: digit class -1", gan_utils.load_mnist, digits=[3, -1], raises=ValueError, match="from 0 to 9, got -1"),
    bad("load_mnist: no digit classes", gan_utils.load_mnist, digits=[], raises=ValueError, match="digits is empty"),
    bad("load_mnist: digits as a string", gan_utils.load_mnist, digits="7", raises=ValueError, match="digits must be an integer 0-9 or a list"),
    bad("load_mnist: a fractional digit", gan_utils.load_mnist, digits=[1, 2.5], raises=ValueError, match="got 2.5"),
    bad("load_mnist: empty subset", gan_utils.load_mnist, subset=0, raises=ValueError, match="subset must be a positive number of images, got 0"),
    bad("load_mnist: negative subset", gan_utils.load_mnist, subset=-3, raises=ValueError, match="subset must be a positive number"),
    bad("load_mnist: fractional subset", gan_utils.load_mnist, subset=2.5, raises=ValueError, match="subset must be a positive number"),
    bad("load_mnist: decreasing value range", gan_utils.load_mnist, value_range=(1, -1), raises=ValueError, match="value_range must be increasing"),
    bad("load_mnist: value range not numbers", gan_utils.load_mnist, value_range="wide", raises=ValueError, match="value_range must be two numbers"),
    # data: your own images (tests/test_images.py holds their full table, warnings included)
    bad("load_images: no such folder", gan_utils.load_images, Make(lambda t: t / "my_photos"), raises=FileNotFoundError, match=r"no file or folder at .*my_photos\. Check the name"),
    bad("load_images: a folder without images", gan_utils.load_images, Make(folder), raises=ValueError, match=r"run holds no images: looked for \.bmp, \.gif"),
    bad("load_images: unknown Keras data set", gan_utils.load_images, "cifar100", raises=ValueError, match="unknown Keras data set 'cifar100': load_images knows mnist, fashion_mnist, cifar10"),
    bad("load_images: a zip that is not a zip", gan_utils.load_images, file_with(b"<html>upload page</html>", "photos.zip"), raises=ValueError, match=r"photos\.zip is not a readable zip file"),
    bad("load_images: two channels", gan_utils.load_images, "mnist", channels=2, raises=ValueError, match=r"channels must be 1 \(grey\) or 3 \(colour\), got 2"),
    bad("image_dataset: unknown fit", gan_utils.image_dataset, "mnist", fit="stretch", raises=ValueError, match="fit must be 'crop' .* or 'pad' .*got 'stretch'"),
    bad("image_dataset: batch larger than the images", gan_utils.image_dataset, "mnist", 28, 1, subset=8, batch_size=16, raises=ValueError, match=r"batch_size 16 is larger than the data \(8 images\)"),
    bad("image_stream: unknown fit", gan_utils.image_stream, "mnist", fit="stretch", raises=ValueError, match="fit must be 'crop' .* or 'pad' .*got 'stretch'"),
    bad("ImageStream.dataset: labels it was made without", gan_utils.ImageStream.dataset, Make(lambda t: gan_utils.image_stream("mnist", 28, 1, subset=8)), 4, with_labels=True,
        raises=ValueError, match=r"made without its classes: make it with image_stream\(\.\.\., with_labels=True\)"),
    bad("load_mnist: negative seed", gan_utils.load_mnist, subset=10, seed=-1, raises=ValueError, match=SEED),
    bad("check_digits: 11", gan_utils.check_digits, 11, raises=ValueError, match="from 0 to 9, got 11"),
    bad("check_digits: None", gan_utils.check_digits, None, raises=ValueError, match="digits must be an integer 0-9 or a list"),
    bad("scale_images: floats, not uint8 pixels", gan_utils.scale_images, np.zeros((2, 28, 28), "float32"), raises=TypeError, match="expects uint8 pixels 0-255, got dtype float32"),
    bad("scale_images: empty value range", gan_utils.scale_images, np.zeros((2, 28, 28), np.uint8), (0, 0), raises=ValueError, match="value_range must be increasing"),
    bad("mnist_source: path of the wrong type", gan_utils.mnist_source, 3.14, raises=TypeError, match="path must be a file path"),
    # data: the pipeline
    bad("make_dataset: no images", gan_utils.make_dataset, X[:0], raises=ValueError, match="got no images"),
    bad("make_dataset: a string, not images", gan_utils.make_dataset, "abc", raises=TypeError, match="images must be an array of numbers .*got str"),
    bad("make_dataset: batch larger than the data", gan_utils.make_dataset, X, batch_size=16, raises=ValueError, match=r"batch_size 16 is larger than the data \(8 images\)"),
    bad("make_dataset: batch size 0", gan_utils.make_dataset, X, batch_size=0, raises=ValueError, match="batch_size must be a positive integer, got 0"),
    bad("make_dataset: fractional batch size", gan_utils.make_dataset, X, batch_size=2.5, raises=ValueError, match="batch_size must be a positive integer"),
    bad("make_dataset: labels of the wrong length", gan_utils.make_dataset, X, np.zeros(5), batch_size=4, raises=ValueError, match=r"labels must have shape \(8,\)"),
    bad("make_dataset: start after the end", gan_utils.make_dataset, X, batch_size=4, epochs=2, start_epoch=2, raises=ValueError, match="need 0 <= start_epoch < epochs"),
    bad("make_dataset: fractional epochs", gan_utils.make_dataset, X, batch_size=4, epochs=1.5, raises=ValueError, match="epochs must be an integer, got 1.5"),
    bad("make_dataset: negative seed", gan_utils.make_dataset, X, batch_size=4, seed=-1, raises=ValueError, match=SEED),
    # models
    bad("build_mlp_generator: latent size 0", gan_utils.build_mlp_generator, 0, raises=ValueError, match="latent_dim must be an integer >= 1, got 0"),
    bad("build_dcgan_generator: negative latent size", gan_utils.build_dcgan_generator, -5, raises=ValueError, match="latent_dim must be an integer >= 1, got -5"),
    bad("build_conditional_generator: fractional latent size", gan_utils.build_conditional_generator, 2.5, raises=ValueError, match="latent_dim must be an integer"),
    bad("build_mlp_generator: zero in the output shape", gan_utils.build_mlp_generator, 8, (28, 0), raises=ValueError, match="output_shape must be a tuple of positive integers"),
    bad("build_mlp_generator: no hidden layers", gan_utils.build_mlp_generator, 8, hidden_units=(), raises=ValueError, match="hidden_units needs at least one layer size"),
    bad("build_mlp_generator: unknown activation", gan_utils.build_mlp_generator, 8, (2,), (4,), "banana", raises=ValueError, match="activation function identifier: banana"),
    bad("build_mlp_discriminator: dropout 1", gan_utils.build_mlp_discriminator, dropout=1.0, raises=ValueError, match=r"dropout must be in \[0, 1\), got 1.0"),
    bad("build_mlp_discriminator: dropout not a number", gan_utils.build_mlp_discriminator, dropout="x", raises=ValueError, match="dropout must be"),
    bad("build_dcgan_generator: an image size it cannot make", gan_utils.build_dcgan_generator, image_shape=(30, 30, 1), raises=ValueError, match="square images of 28, 32, 64, 128 pixels"),
    bad("build_dcgan_discriminator: image shape without channels", gan_utils.build_dcgan_discriminator, (28, 28), raises=ValueError, match="must have 3 dimensions"),
    bad("build_dcgan_discriminator: width 0", gan_utils.build_dcgan_discriminator, width=0, raises=ValueError, match="width must be an integer >= 1, got 0"),
    bad("build_conditional_generator: one class", gan_utils.build_conditional_generator, num_classes=1, raises=ValueError, match="num_classes must be an integer >= 2, got 1"),
    bad("build_conditional_discriminator: no classes", gan_utils.build_conditional_discriminator, 0, raises=ValueError, match="num_classes must be an integer >= 2, got 0"),
    # recipes
    bad("get_recipe: unknown model", gan_utils.get_recipe, "stylegan", raises=ValueError, match="unknown model 'stylegan': choose one of vanilla, dcgan, cgan"),
    bad("get_recipe: unknown field", gan_utils.get_recipe, "dcgan", learning_rate=1e-3, raises=ValueError, match="unknown recipe field"),
    bad("get_recipe: zero epochs", gan_utils.get_recipe, "dcgan", epochs=0, raises=ValueError, match="epochs"),
    bad("get_recipe: negative batch size", gan_utils.get_recipe, "dcgan", batch_size=-1, raises=ValueError, match="batch_size"),
    bad("get_recipe: negative learning rate", gan_utils.get_recipe, "dcgan", d_lr=-1.0, raises=ValueError, match="d_lr"),
    bad("Recipe: latent size 0", gan_utils.Recipe, "dcgan", 0, 32, 64, 10, 2e-4, 2e-4, raises=ValueError, match="latent_dim"),
    bad("build_gan: neither a recipe nor a name", gan_utils.build_gan, 42, raises=TypeError, match="recipe"),
    bad("Recipe: unknown model", gan_utils.Recipe, "biggan", 64, 32, 64, 10, 2e-4, 2e-4, raises=ValueError, match="unknown model 'biggan'"),
    bad("get_recipe: one class", gan_utils.get_recipe, "cgan", num_classes=1, raises=ValueError, match="num_classes must be an integer >= 2"),
    bad("build_gan: an image size the networks cannot make", gan_utils.build_gan, "dcgan", image_shape=(48, 48, 3), raises=ValueError, match="square images of 28, 32, 64, 128 pixels"),
    # training: the model
    bad("GAN: strings, not models", GAN, "generator", "discriminator", raises=TypeError, match=r"GAN needs two keras.Model objects"),
    bad("GAN: networks for different image shapes", GAN, Make(lambda t: G8()),
        Make(lambda t: models.build_mlp_discriminator((32, 32, 1), (8,))), raises=ValueError, match=r"generator makes samples of shape \(28, 28, 1\) but the discriminator expects \(32, 32, 1\)"),
    bad("GAN: conditional generator, plain discriminator", GAN, Make(lambda t: models.build_conditional_generator(8, width=4)),
        Make(lambda t: models.build_dcgan_discriminator(width=4)), raises=ValueError, match="disagree"),
    bad("GAN: moving-average decay 1", GAN, Make(lambda t: G8()), Make(lambda t: D8()), ema_decay=1.0, raises=ValueError, match=r"ema_decay must be in \(0, 1\)"),
    bad("GAN: empty fixed latent batch", GAN, Make(lambda t: G8()), Make(lambda t: D8()), sample_count=0, raises=ValueError, match="sample_count .* must be a positive integer"),
    bad("GAN: negative seed", GAN, Make(lambda t: G8()), Make(lambda t: D8()), seed=-1, raises=ValueError, match=SEED),
    bad("GAN.compile: optimizer given by name", GAN.compile, Make(lambda t: uncompiled()), d_optimizer="adam", raises=TypeError, match="d_optimizer must be a keras.optimizers.Optimizer"),
    bad("GAN.compile: one optimizer for both networks", GAN.compile, MakeArgs(lambda t: (uncompiled(), *(keras.optimizers.Adam(),) * 2)),
        raises=ValueError, match="same object"),
    bad("GAN.compile: label smoothing 0.5", GAN.compile, Make(lambda t: uncompiled()), label_smoothing=0.5, raises=ValueError, match=r"label_smoothing must be a number in \[0, 0.5\)"),
    bad("GAN.sample: latent vectors of the wrong size", GAN.sample, Make(lambda t: tiny()), np.zeros((2, 3)), raises=ValueError, match=r"z must have shape \(n, 8\), got \(2, 3\)"),
    bad("check_train_step: a string, not a GAN", gan_utils.check_train_step, "gan", lambda real, z_d, z_g: (0.0, 0.0), np.zeros((2, 28, 28, 1), "float32"),
        raises=TypeError, match="check_train_step compares a step with a gan_utils.GAN, got str"),
    bad("check_train_step: step is not a function", gan_utils.check_train_step, Make(lambda t: tiny()), "my_train_step", np.zeros((2, 28, 28, 1), "float32"),
        raises=TypeError, match=r"step must be a function step\(real, z_d, z_g\)"),
    bad("check_model: a string, not a model", gan_utils.check_model, "my generator", Make(lambda t: gan_utils.build_dcgan_generator(16, width=8)),
        raises=TypeError, match="check_model compares two keras.Model objects; page is a str"),
    bad("check_loss: a string, not a function", gan_utils.check_loss, "hinge", gan_utils.losses.hinge_discriminator_loss,
        raises=TypeError, match="check_loss compares two functions; page is 'hinge'"),
    bad("GAN.sample: digit class 10", GAN.sample, Make(lambda t: tiny_conditional()), labels=np.full(4, 10), raises=ValueError, match="labels must be integers from 0 to 9"),
    bad("discriminator_loss: label smoothing 0.9", gan_utils.discriminator_loss, np.zeros(2, "float32"), np.zeros(2, "float32"), 0.9, raises=ValueError, match=r"label_smoothing must be in \[0, 0.5\)"),
    bad("get_objective: unknown name", gan_utils.get_objective, "wgan", raises=ValueError, match="unknown objective 'wgan': choose one of non-saturating, minimax"),
    bad("get_objective: unknown field", gan_utils.get_objective, "hinge", margin=2.0, raises=ValueError, match=r"unknown Objective field in \['margin'\]"),
    bad("Objective: unknown penalty", gan_utils.Objective, "x", gan_utils.losses.hinge_discriminator_loss, gan_utils.losses.critic_generator_loss,
        penalty="l2", raises=ValueError, match="penalty must be one of None, 'gradient-penalty', 'r1'"),
    bad("Objective: penalty without weight", gan_utils.Objective, "x", gan_utils.losses.hinge_discriminator_loss, gan_utils.losses.critic_generator_loss,
        penalty="r1", raises=ValueError, match="needs a positive penalty_weight"),
    bad("Objective: outputs neither logits nor scores", gan_utils.Objective, "x", gan_utils.losses.hinge_discriminator_loss,
        gan_utils.losses.critic_generator_loss, outputs="probabilities", raises=ValueError, match="outputs must be 'logits' or 'scores'"),
    bad("generator_loss: unknown kind", gan_utils.generator_loss, np.zeros(2, "float32"), "hinge", raises=ValueError, match="kind must be 'non_saturating' or 'saturating', got 'hinge'"),
    # training: fit_gan
    bad("fit_gan: not a GAN", gan_utils.fit_gan, "gan", X, epochs=1, raises=TypeError, match="fit_gan trains a gan_utils.GAN, got str"),
    bad("fit_gan: GAN not compiled", gan_utils.fit_gan, Make(lambda t: uncompiled()), X, epochs=1, raises=ValueError, match=r"compile the GAN first"),
    bad("fit_gan: zero epochs", gan_utils.fit_gan, Make(lambda t: tiny()), X, epochs=0, raises=ValueError, match="epochs must be a positive integer, got 0"),
    bad("fit_gan: images of the wrong shape for the model", gan_utils.fit_gan, Make(lambda t: tiny()), np.zeros((8, 32, 32, 1), "float32"), epochs=1,
        raises=ValueError, match=r"images have shape \(32, 32, 1\) but this GAN makes \(28, 28, 1\)"),
    bad("fit_gan: raw uint8 pixels", gan_utils.fit_gan, Make(lambda t: tiny()), X.astype(np.uint8), epochs=1, raises=TypeError, match="dtype uint8.*scale_images"),
    bad("fit_gan: images with NaN", gan_utils.fit_gan, Make(lambda t: tiny()), NAN_IMAGES, epochs=1, raises=ValueError, match="NaN or infinite"),
    bad("fit_gan: no images", gan_utils.fit_gan, Make(lambda t: tiny()), X[:0], epochs=1, raises=ValueError, match="got no images"),
    bad("fit_gan: batch larger than the data", gan_utils.fit_gan, Make(lambda t: tiny()), X, epochs=1, batch_size=16, raises=ValueError, match=r"batch_size 16 is larger than the data \(8 images\)"),
    bad("fit_gan: an image stream of another size", gan_utils.fit_gan, Make(lambda t: tiny()), Make(lambda t: gan_utils.image_stream("mnist", 32, 1, subset=8)), epochs=1,
        raises=ValueError, match=r"the image stream holds images of shape \(32, 32, 1\) but this GAN makes \(28, 28, 1\): make the stream with image_size=28"),
    bad("fit_gan: an image stream and labels", gan_utils.fit_gan, Make(lambda t: tiny()), Make(lambda t: gan_utils.image_stream("mnist", 28, 1, subset=8)), np.zeros(8, int), epochs=1,
        raises=ValueError, match="an image stream carries its own labels"),
    bad("fit_gan: conditional GAN on a stream without classes", gan_utils.fit_gan, Make(lambda t: tiny_conditional()), Make(lambda t: gan_utils.image_stream("mnist", 28, 1, subset=8)), epochs=1,
        raises=ValueError, match=r"needs labels: make the stream with image_stream\(\.\.\., with_labels=True\)"),
    bad("fit_gan: conditional GAN without labels", gan_utils.fit_gan, Make(lambda t: tiny_conditional()), X, epochs=1, raises=ValueError, match="needs labels"),
    bad("fit_gan: label of digit class 12", gan_utils.fit_gan, Make(lambda t: tiny_conditional()), X, np.full(8, 12), epochs=1, raises=ValueError, match="labels must be integers from 0 to 9"),
    bad("fit_gan: resume without a folder", gan_utils.fit_gan, Make(lambda t: tiny()), X, epochs=1, resume=True, raises=ValueError, match="resume=True needs output_dir"),
    bad("fit_gan: folder holding another run", gan_utils.fit_gan, Make(lambda t: tiny()), X, epochs=1, batch_size=4, output_dir=Make(run_with_checkpoint),
        raises=FileExistsError, match=r"already holds a training checkpoint. Pass resume=True"),
    bad("fit_gan: output folder is a file", gan_utils.fit_gan, Make(lambda t: tiny()), X, epochs=1, batch_size=4, output_dir=Make(a_file),
        raises=NotADirectoryError, match=r"notes\.txt is a file"),
    bad("fit_gan: resume weights of another architecture", gan_utils.fit_gan, Make(lambda t: tiny()), X, epochs=2, batch_size=4, resume=True,
        output_dir=Make(run_of_another_architecture), raises=ValueError, match="written for a different architecture"),
    bad("fit_gan: resume from a corrupt checkpoint only", gan_utils.fit_gan, Make(lambda t: tiny()), X, epochs=2, batch_size=4, resume=True,
        output_dir=Make(run_with_only_a_corrupt_checkpoint), raises=CorruptCheckpointError, match=r"no good checkpoint .*checkpoint\.npz"),
    bad("fit_gan: time budget 0", gan_utils.fit_gan, Make(lambda t: tiny()), X, epochs=1, batch_size=4, time_budget=0, raises=ValueError, match="time budget must be a positive number of seconds"),
    bad("fit_gan: grids every 0 epochs", gan_utils.fit_gan, Make(lambda t: tiny()), X, epochs=1, batch_size=4, sample_every=0, raises=ValueError, match="every must be a positive integer"),
    bad("fit_gan: a callback that is not one", gan_utils.fit_gan, Make(lambda t: tiny()), X, epochs=1, batch_size=4, callbacks=["stop early"],
        raises=TypeError, match="callbacks must be keras.callbacks.Callback objects, got str"),
    bad("fit_gan: negative seed", gan_utils.fit_gan, Make(lambda t: tiny()), X, epochs=1, batch_size=4, seed=-1, raises=ValueError, match=SEED),
    # training: callbacks and checkpoints
    bad("SampleGrid: every 0 epochs", gan_utils.SampleGrid, 0, raises=ValueError, match="every must be a positive integer .*got 0"),
    bad("SampleGrid: no images per grid", gan_utils.SampleGrid, n=0, raises=ValueError, match=r"n \(images per grid\) must be a positive integer"),
    bad("GifWriter: not a SampleGrid", gan_utils.GifWriter, "grid", "progress.gif", raises=TypeError, match="frames of a SampleGrid callback, got str"),
    bad("GifWriter: zero seconds per frame", gan_utils.GifWriter, Make(lambda t: gan_utils.SampleGrid()), "progress.gif", 0, raises=ValueError, match="seconds_per_frame must be a positive number"),
    bad("Checkpoint: no time between checkpoints", gan_utils.Checkpoint, MISSING, every_seconds=0, raises=ValueError,
        match="every_seconds must be a positive number or None, got 0"),
    bad("TimeBudget: zero seconds", gan_utils.TimeBudget, 0, raises=ValueError, match="time budget must be a positive number of seconds, got 0"),
    bad("TimeBudget: seconds as a string", gan_utils.TimeBudget, "10", raises=ValueError, match="positive number of seconds, got '10'"),
    bad("save_checkpoint: not a GAN", gan_utils.save_checkpoint, "gan", MISSING, 1, raises=TypeError, match="save_checkpoint needs a gan_utils.GAN, got str"),
    bad("save_checkpoint: negative epoch", gan_utils.save_checkpoint, Make(lambda t: tiny()), Make(folder), -1, raises=ValueError, match="epoch must be the number of completed epochs"),
    bad("save_checkpoint: folder is a file", gan_utils.save_checkpoint, Make(lambda t: tiny()), Make(a_file), 1, raises=NotADirectoryError, match=r"notes\.txt is a file"),
    bad("restore_checkpoint: not a GAN", gan_utils.restore_checkpoint, "gan", Make(folder), raises=TypeError, match="restore_checkpoint needs a gan_utils.GAN"),
    bad("restore_checkpoint: weights of another architecture", gan_utils.restore_checkpoint, Make(lambda t: tiny()), Make(run_of_another_architecture),
        raises=ValueError, match=r"checkpoint .*checkpoint\.npz was written for a different architecture: generator/0000 .* has shape \(8, 16\) in the file but \(8, 8\)"),
    bad("restore_checkpoint: only a corrupt checkpoint", gan_utils.restore_checkpoint, Make(lambda t: tiny()), Make(run_with_only_a_corrupt_checkpoint),
        raises=CorruptCheckpointError, match="no good checkpoint"),
    bad("restore_checkpoint: pickled objects", gan_utils.restore_checkpoint, Make(lambda t: tiny()), Make(run_with_a_pickled_checkpoint),
        raises=CorruptCheckpointError, match="no good checkpoint"),
    # plotting
    bad("image_grid: no images", gan_utils.image_grid, np.zeros((0, 28, 28)), raises=ValueError, match=r"empty or not a batch of images"),
    bad("image_grid: NaN pixels", gan_utils.image_grid, NAN_IMAGES, raises=ValueError, match="NaN or infinite"),
    bad("image_grid: two channels", gan_utils.image_grid, np.zeros((4, 8, 8, 2)), raises=ValueError, match=r"must have shape \(n, h, w\), \(n, h, w, 1\) or \(n, h, w, 3\), got \(4, 8, 8, 2\)"),
    bad("image_grid: zero columns", gan_utils.image_grid, np.zeros((4, 8, 8)), 0, raises=ValueError, match="ncols must be >= 1, got 0"),
    bad("image_grid: columns as a string", gan_utils.image_grid, np.zeros((4, 8, 8)), "3", raises=ValueError, match="ncols"),
    bad("image_grid: negative padding", gan_utils.image_grid, np.zeros((4, 8, 8)), 2, -1, raises=ValueError, match="padding"),
    bad("plot_grid: a string, not images", gan_utils.plot_grid, "abc", raises=ValueError, match="not a batch of images"),
    bad("show_grid: nothing to show", gan_utils.show_grid, None, raises=ValueError, match="not a batch of images"),
    bad("show_samples: not a generator", gan_utils.show_samples, "generator", raises=TypeError, match="generator"),
    bad("show_samples: negative count", gan_utils.show_samples, Make(lambda t: G8()), -1, raises=ValueError, match=r"\bn\b"),
    bad("plot_losses: a list, not a history", gan_utils.plot_losses, [1.0, 0.5], raises=ValueError, match="needs a History .* with d_loss and g_loss"),
    bad("plot_losses: history without g_loss", gan_utils.plot_losses, {"d_loss": [1.0]}, raises=ValueError, match="g_loss"),
    bad("save_figure: not a figure", gan_utils.save_figure, "figure", Make(lambda t: t / "fig"), raises=TypeError, match="needs a matplotlib Figure, got str"),
    bad("save_figure: unknown format", gan_utils.save_figure, Make(lambda t: Figure()), Make(lambda t: t / "fig"), formats=("jpg",), raises=ValueError, match="unknown figure format jpg: choose from png, svg, pdf"),
    bad("save_figure: no formats", gan_utils.save_figure, Make(lambda t: Figure()), Make(lambda t: t / "fig"), formats=(), raises=ValueError, match="formats is empty"),
    bad("save_figure: unwritable folder", gan_utils.save_figure, Make(lambda t: Figure()), "/proc/gan_utils/fig", formats=("png",), raises=PermissionError, match="cannot create the folder /proc/gan_utils"),
    bad("save_gif: no frames", gan_utils.save_gif, [], Make(lambda t: t / "a.gif"), raises=ValueError, match="got no frames"),
    bad("Animation: no such file", gan_utils.Animation, Make(lambda t: t / "progress.gif"), raises=FileNotFoundError, match="no animation at .*progress.gif: train with an output folder first"),
    bad("Animation: a PNG named .gif", gan_utils.Animation, Make(lambda t: gan_utils.plotting.save_image(np.zeros((8, 8), np.uint8), t / "x.png").rename(t / "x.gif")),
        raises=ValueError, match=r"x\.gif is not a GIF file"),
    bad("save_gif: zero seconds per frame", gan_utils.save_gif, [np.zeros((8, 8), np.uint8)], Make(lambda t: t / "a.gif"), 0, raises=ValueError, match="seconds_per_frame"),
    bad("save_real_vs_fake: images of different sizes", gan_utils.save_real_vs_fake, np.zeros((4, 8, 8)), np.zeros((4, 9, 9)), Make(lambda t: t / "rf"),
        raises=ValueError, match=r"real images have shape \(8, 8\) but fake ones \(9, 9\)"),
    bad("save_real_vs_fake: different counts", gan_utils.save_real_vs_fake, np.zeros((4, 8, 8)), np.zeros((3, 8, 8)), Make(lambda t: t / "rf"),
        raises=ValueError, match="got 4 real and 3 fake images"),
    bad("save_real_vs_fake: unknown format", gan_utils.save_real_vs_fake, np.zeros((4, 8, 8)), np.zeros((4, 8, 8)), Make(lambda t: t / "rf"), formats=("bmp",),
        raises=ValueError, match="unknown figure format bmp"),
    # trained generators
    bad("load_generator: folder without a generator", gan_utils.load_generator, Make(folder), raises=FileNotFoundError, match="has no generator.json.*Train one first"),
    bad("load_generator: generator.keras is garbage", gan_utils.load_generator, Make(run_with_garbage_generator), raises=ValueError, match="not a loadable Keras model"),
    bad("load_generator: code inside the file (Lambda layer)", gan_utils.load_generator, Make(run_with_lambda_generator), raises=ValueError, match="not a loadable Keras model.*Lambda.*safe_mode"),
    bad("load_pretrained: unknown name", gan_utils.load_pretrained, "biggan", raises=ValueError, match=r"unknown pretrained \w+ 'biggan': choose one of vanilla, dcgan, cgan"),
    bad("load_pretrained: unknown network", gan_utils.load_pretrained, "dcgan", "critic", raises=ValueError, match="network must be one of generator, discriminator, got 'critic'"),
    bad("latent_batch: negative count", gan_utils.latent_batch, Make(lambda t: G8()), -1, raises=ValueError, match=r"\bn\b"),
    bad("latent_batch: not a generator", gan_utils.latent_batch, "generator", 4, raises=TypeError, match="generator"),
    bad("verify_checksum: tampered file", pretrained.verify_checksum, MakeArgs(lambda t: weights_and_sums(t, tamper=True)), raises=ValueError, match=r"g\.keras does not match its SHA-256 checksum"),
    bad("verify_checksum: file not listed", pretrained.verify_checksum, MakeArgs(lambda t: weights_and_sums(t, listed=False)), raises=ValueError, match="has no entry in .*refusing to load an unlisted file"),
    bad("verify_checksum: missing file", pretrained.verify_checksum, MISSING, raises=FileNotFoundError, match=r"missing\.npz is missing"),
    bad("verify_checksum: missing SHA256SUMS", pretrained.verify_checksum, Make(lambda t: weights_and_sums(t)[0]), Make(lambda t: t / "NOSUMS"),
        raises=FileNotFoundError, match="checksum file .*NOSUMS is missing"),
    bad("verify_checksum: file outside the checksum file's folder", pretrained.verify_checksum, MakeArgs(weights_outside_the_sums_folder), raises=ValueError, match=r"g\.keras is not inside .*elsewhere"),
    bad("verify_checksum: malformed SHA256SUMS", pretrained.verify_checksum, MakeArgs(malformed_sums), raises=ValueError, match="SHA256SUMS.*line"),
    # quality metrics
    bad("evaluate: no images", gan_utils.evaluate, X[:0], raises=ValueError, match="images is empty"),
    bad("evaluate: images of the wrong shape", gan_utils.evaluate, np.zeros((8, 32, 32, 1), "float32"), raises=ValueError, match=r"shape \(n, 28, 28, 1\).*got \(8, 32, 32, 1\)"),
    bad("evaluate: a string, not images", gan_utils.evaluate, "abc", raises=TypeError, match="images must hold numbers"),
    bad("evaluate: zero neighbours", gan_utils.evaluate, X, k=0, raises=ValueError, match="k must be a positive integer"),
    bad("evaluate: no reference images", gan_utils.evaluate, X, n_reference=0, raises=ValueError, match="n_reference must be an integer >= 2"),
    bad("real_floor: no images", gan_utils.real_floor, 0, raises=ValueError, match="n must be an integer >= 2"),
    bad("nearest_real: k larger than the reference", gan_utils.nearest_real, X[:2], X[:3], k=5, raises=ValueError, match="k=5 is more than the 3 reference images"),
    bad("nearest_real: reference of the wrong shape", gan_utils.nearest_real, X[:2], np.zeros((4, 32, 32)), raises=ValueError, match=r"shape \(28, 28, 1\) but reference \(32, 32, 1\): compare images of the same size"),
    bad("compare: two sets of different shapes", gan_utils.compare, np.zeros((20, 32, 32, 3), "float32"), X[:20], features="random", raises=ValueError, match=r"real_images are images of shape \(32, 32, 3\) but fake_images \(28, 28, 1\)"),
    bad("get_extractor: unknown name", gan_utils.get_extractor, "vgg", raises=ValueError, match="unknown feature extractor 'vgg'. Known names: 'inception'"),
    bad("diff_augment: a misspelt transform", gan_utils.diff_augment, X[:2], "colour", raises=ValueError, match="unknown DiffAugment transform 'colour' in policy 'colour': name some of color, translation, cutout"),
    bad("conditional_accuracy: an unconditional generator", gan_utils.conditional_accuracy, Make(lambda t: G8()), raises=TypeError, match="needs a conditional generator"),
    bad("conditional_accuracy: one image per class", gan_utils.conditional_accuracy, Make(lambda t: models.build_conditional_generator(8, width=4)), 1, raises=ValueError, match="n_per_class must be an integer >= 2"),
    bad("QualityMonitor: every 0 epochs", gan_utils.QualityMonitor, 0, raises=ValueError, match="every must be a positive number of epochs"),
    bad("QualityMonitor: no samples", gan_utils.QualityMonitor, n_samples=0, raises=ValueError, match="n_samples must be an integer >= 2"),
    bad("load_classifier: missing file", gan_utils.load_classifier, MISSING, raises=FileNotFoundError, match=r"classifier .*missing\.npz is missing"),
    bad("classifier_features: not images", gan_utils.classifier_features, np.zeros((2, 10)), raises=ValueError, match=r"shape \(n, 28, 28, 1\) or \(n, 28, 28\).*got \(2, 10\)"),
    bad("classifier_features: NaN pixels", gan_utils.classifier_features, NAN_IMAGES, raises=ValueError, match="NaN or infinite"),
    bad("predict_classes: images of the wrong size", gan_utils.predict_classes, np.zeros((2, 32, 32)), raises=ValueError, match=r"got \(2, 32, 32\)"),
    bad("frechet_distance: features of different lengths", gan_utils.frechet_distance, np.zeros((4, 3)), np.zeros((4, 5)), raises=ValueError, match="3 features per sample but feats_b has 5"),
    bad("frechet_distance: one sample", gan_utils.frechet_distance, np.zeros((1, 3)), np.zeros((1, 3)), raises=ValueError, match=r"n >= 2 samples.*got shape \(1, 3\)"),
    bad("precision_recall: zero neighbours", gan_utils.precision_recall, np.ones((10, 3)), np.ones((10, 3)), k=0, raises=ValueError, match="k must be a positive integer"),
    bad("precision_recall: fewer samples than neighbours", gan_utils.precision_recall, np.ones((3, 3)), np.ones((3, 3)), k=5, raises=ValueError, match="more than k=5 samples"),
    bad("precision_recall: features of different lengths", gan_utils.precision_recall, np.ones((10, 3)), np.ones((10, 4)), raises=ValueError, match="3 features but fake_features 4"),
    # latent space widgets
    bad("LatentExplorer: not a generator", gan_utils.LatentExplorer, "generator", raises=TypeError, match="needs a keras.Model generator, got str"),
    bad("LatentExplorer: negative number of directions", gan_utils.LatentExplorer, Make(lambda t: G8()), n_directions=-1, raises=ValueError, match="n_directions"),
    bad("LatentDirections: fewer variances than directions", gan_utils.LatentDirections, np.zeros((3, 8)), np.zeros(2), "dense", raises=ValueError, match="explained_variance_ratio"),
    bad("latent_directions: not a generator", gan_utils.latent_directions, "generator", raises=TypeError, match="keras.Model generator, got str"),
    bad("latent_directions: no directions", gan_utils.latent_directions, Make(lambda t: G8()), 0, raises=ValueError, match="n_directions must be an integer from 1 to latent_dim = 8, got 0"),
    bad("latent_directions: unknown layer", gan_utils.latent_directions, Make(lambda t: G8()), layer="nope", raises=ValueError, match="no layer named 'nope'; its layers are"),
    bad("interpolate: vectors of different lengths", gan_utils.interpolate, np.zeros(3), np.zeros(4), 0.5, raises=ValueError, match="same length, got 3 and 4"),
    bad("interpolate: unknown method", gan_utils.interpolate, np.zeros(3), np.ones(3), 0.5, method="cubic", raises=ValueError, match="unknown interpolation method 'cubic'"),
    bad("interpolate: t not a number", gan_utils.interpolate, np.zeros(3), np.ones(3), "half", raises=ValueError, match="'half'"),
    bad("slerp: vectors of different lengths", gan_utils.slerp, np.ones(3), np.ones(4), 0.5, raises=ValueError, match="same length, got 3 and 4"),
    # the command line
    bad("CLI: no arguments", cli, raises=SystemExit, match="(?s)exit 2: .*the following arguments are required: --output"),
    bad("CLI: unknown model", cli, "gan", "--output", "runs/x", raises=SystemExit, match=r"(?s)exit 2: .*argument model: invalid choice: 'gan'"),
    bad("CLI: no output folder", cli, "dcgan", raises=SystemExit, match="(?s)exit 2: .*the following arguments are required: --output"),
    bad("CLI: zero epochs", cli, "dcgan", "--output", "runs/x", "--epochs", "0", raises=SystemExit, match="(?s)exit 2: .*--epochs must be a positive integer, got 0"),
    bad("CLI: epochs not a number", cli, "dcgan", "--output", "runs/x", "--epochs", "ten", raises=SystemExit, match="(?s)exit 2: .*argument --epochs: invalid int value: 'ten'"),
    bad("CLI: negative batch size", cli, "dcgan", "--output", "runs/x", "--batch-size", "-8", raises=SystemExit, match="(?s)exit 2: .*--batch-size must be a positive integer, got -8"),
    bad("CLI: empty subset", cli, "dcgan", "--output", "runs/x", "--subset", "0", raises=SystemExit, match="(?s)exit 2: .*--subset must be a positive integer, got 0"),
    bad("CLI: digit class 11", cli, "dcgan", "--output", "runs/x", "--digits", "3", "11", raises=SystemExit, match="(?s)exit 2: .*digits must be integers from 0 to 9, got 11"),
    bad("CLI: zero monitor interval", cli, "dcgan", "--output", "runs/x", "--monitor", "0", raises=SystemExit, match="(?s)exit 2: .*--monitor must be a positive integer, got 0"),
    bad("CLI: zero time budget", cli, "dcgan", "--output", "runs/x", "--time-budget", "0", raises=SystemExit, match="(?s)exit 2: .*--time-budget must be a positive number"),
    bad("CLI: stream without images", cli, "dcgan", "--output", "runs/x", "--stream", raises=SystemExit, match=r"(?s)exit 2: .*--stream go with --images"),
    bad("CLI: cache folder without stream", cli, "dcgan", "--output", "runs/x", "--images", "mnist", "--cache-dir", "cache", raises=SystemExit,
        match=r"(?s)exit 2: .*--cache-dir is where --stream keeps its cache file: add --stream"),
    bad("CLI: negative seed", cli, "dcgan", "--output", "runs/x", "--seed", "-1", raises=SystemExit, match="(?s)exit 2: .*--seed must be an integer from 0 to 2\\*\\*32 - 1, got -1"),
    bad("CLI: missing data file", cli, "dcgan", "--output", "runs/x", "--data", MISSING, raises=SystemExit, match=r"(?s)exit 2: .*--data .*missing\.npz: no such file"),
    bad("CLI: output is a file", cli, "dcgan", "--output", Make(a_file), raises=SystemExit, match=r"(?s)exit 2: .*--output .*notes\.txt is a file"),
    bad("CLI: folder holding a run, without --resume", cli, "dcgan", "--output", Make(lambda t: str(run_with_checkpoint(t))), "--subset", "64", "--epochs", "1", "--quiet",
        raises=SystemExit, match=r"(?s)exit 2: .*already holds a run: to continue it, python -m gan_utils.train --resume --output"),
]


@pytest.mark.filterwarnings("ignore::UserWarning")  # restore_checkpoint warns about each bad file before raising
@pytest.mark.parametrize(("fn", "args", "kwargs", "error", "message"), CASES)
def test_bad_input_is_refused_saying_what_was_wrong(fn, args, kwargs, error, message, tmp_path, capsys):
    args, kwargs = resolve(args, tmp_path), resolve(kwargs, tmp_path)
    with pytest.raises(error, match=message):
        fn(*args, **kwargs)


def _covered() -> set[str]:
    """Public names that have rows: functions, classes, and classes whose methods have rows."""
    return {case.values[0].__qualname__.split(".")[0] for case in CASES}


def test_every_public_callable_has_a_bad_input_row():
    exempt = {"StopOnNonFinite", "NonFiniteLossError", "CorruptCheckpointError", "FeatureWeightsUnavailable"}  # no arguments / exceptions
    public = {n for n in gan_utils.__all__ if callable(getattr(gan_utils, n)) and n not in exempt}
    missing = sorted(public - _covered())
    assert not missing, f"no bad-input row for {missing}"


def test_rows_have_unique_readable_ids():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[\w.]+: [\w .,*()'-]+", i) for i in ids), [i for i in ids if not re.fullmatch(r"[\w.]+: [\w .,*()'-]+", i)]

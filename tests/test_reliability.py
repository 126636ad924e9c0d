"""Reliability: repeatable runs, exact resumes, atomic and verified checkpoints, the non-finite guard
and safe loading. Each test is one promise of the project's "Reliability" issue.

The networks are tiny (a width-8 DCGAN generator with batch norm and a moving average, an MLP
discriminator with dropout, so that every kind of state is exercised) and the data is 128 MNIST
images in 4 batches of 32. Command-line runs and the cross-process check run ``python`` in
subprocesses, several at a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

import gan_utils
from gan_utils import checkpoints, models, pretrained
from gan_utils.train import main as train_main
from gan_utils.training import (
    CHECKPOINT_NAME,
    PREVIOUS_CHECKPOINT_NAME,
    GAN,
    CorruptCheckpointError,
    NonFiniteLossError,
    fit_gan,
    read_checkpoint,
    restore_checkpoint,
    save_checkpoint,
)

REPO = Path(__file__).resolve().parent.parent
EPOCHS, BATCH = 4, 32
SUBPROCESS_ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(REPO)}


# ------------------------------------------------------------------------------------- helpers
def tiny_gan(seed: int = 0) -> GAN:
    """A seeded, compiled GAN holding every kind of state a checkpoint must carry."""
    gan_utils.set_seed(seed)
    generator = models.build_dcgan_generator(latent_dim=16, width=8)  # batch norm: non-trainable state
    discriminator = models.build_mlp_discriminator(hidden_units=(16,), dropout=0.3)  # dropout: a seed
    gan = GAN(generator, discriminator, ema_decay=0.9, seed=seed, sample_count=16)
    gan.compile()
    return gan


def state(gan: GAN) -> dict[str, np.ndarray]:
    """Every variable of the training state (networks, moving average, optimizers, seeds, fixed z)."""
    return {f"{group}/{i:04d}": np.array(v.numpy() if hasattr(v, "numpy") else v)
            for group, variables in gan.state_variables().items() for i, v in enumerate(variables)}


def assert_same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    differ = [k for k in a if not np.array_equal(a[k], b[k])]
    assert not differ, f"{len(differ)} of {len(a)} variables differ, e.g. {differ[:3]}"


class InterruptAt(keras.callbacks.Callback):
    """Raise KeyboardInterrupt (as Ctrl-C / the notebook's stop button does) at (epoch, step), 1-based."""

    def __init__(self, epoch: int, step: int):
        super().__init__()
        self.at = (epoch, step)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch + 1) == self.at:
            raise KeyboardInterrupt


class StopAt(InterruptAt):
    """Ask fit to stop after (epoch, step), the way TimeBudget does."""

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch + 1) == self.at:
            self.model.stop_training = True


@pytest.fixture(scope="module")
def images(mnist_small) -> np.ndarray:
    return mnist_small[0][:128]


@pytest.fixture(scope="module")
def straight(images, tmp_path_factory) -> dict:
    """The reference: 4 epochs in one go, checkpointed. Its state, samples and history."""
    out = tmp_path_factory.mktemp("straight")
    gan = tiny_gan()
    history = fit_gan(gan, images, epochs=EPOCHS, batch_size=BATCH, output_dir=out, verbose=0)
    return {"state": state(gan), "samples": gan.sample(), "history": history.history, "dir": out}


# --------------------------------------------------------------------------------- repeatable
def test_same_seed_gives_bit_identical_weights_and_samples(images, straight):
    gan = tiny_gan()
    history = fit_gan(gan, images, epochs=EPOCHS, batch_size=BATCH, verbose=0)
    assert_same(state(gan), straight["state"])
    assert np.array_equal(gan.sample(), straight["samples"])
    assert history.history == straight["history"]


def test_another_seed_gives_other_weights():
    a, b = state(tiny_gan(seed=0)), state(tiny_gan(seed=1))
    assert not np.array_equal(a["generator/0000"], b["generator/0000"])
    assert not np.array_equal(a["gan/0000"], b["gan/0000"])  # the fixed latent batch




# ----------------------------------------------------------------------------- resume in-process
def test_resume_after_keyboard_interrupt_in_the_same_session_matches_a_straight_run(images, straight, tmp_path):
    gan = tiny_gan()
    with pytest.raises(KeyboardInterrupt):
        fit_gan(gan, images, epochs=EPOCHS, batch_size=BATCH, output_dir=tmp_path, verbose=0,
                callbacks=[InterruptAt(epoch=3, step=2)])
    assert read_checkpoint(tmp_path / CHECKPOINT_NAME)[1]["step"] == 2 * 128 // BATCH + 2  # saved at the step reached
    history = fit_gan(gan, images, epochs=EPOCHS, batch_size=BATCH, output_dir=tmp_path, resume=True, verbose=0)
    assert_same(state(gan), straight["state"])
    assert np.array_equal(gan.sample(), straight["samples"])
    assert history.history == straight["history"]  # all four epochs, as if never interrupted


def test_two_epochs_then_resume_in_a_new_session_matches_four_straight(images, straight, tmp_path):
    fit_gan(tiny_gan(), images, epochs=2, batch_size=BATCH, output_dir=tmp_path, verbose=0)
    fresh = tiny_gan(seed=5)  # a new session: other weights, other fixed z, other noise seed
    history = fit_gan(fresh, images, epochs=EPOCHS, batch_size=BATCH, output_dir=tmp_path, resume=True, verbose=0)
    assert_same(state(fresh), straight["state"])
    assert history.history == straight["history"]


def test_an_epoch_cut_short_is_checkpointed_at_its_step_and_resume_goes_on_from_it(images, straight, tmp_path):
    gan = tiny_gan()
    fit_gan(gan, images, epochs=EPOCHS, batch_size=BATCH, output_dir=tmp_path, verbose=0, callbacks=[StopAt(epoch=2, step=2)])
    meta = read_checkpoint(tmp_path / CHECKPOINT_NAME)[1]
    assert meta["epoch"] == 1 and meta["step"] == 128 // BATCH + 2  # one complete epoch, and 2 steps of the next
    fit_gan(gan, images, epochs=EPOCHS, batch_size=BATCH, output_dir=tmp_path, resume=True, verbose=0)
    assert_same(state(gan), straight["state"])


def test_checkpoint_holds_networks_optimizers_epoch_and_fixed_latent_batch(straight):
    arrays, meta = read_checkpoint(straight["dir"] / CHECKPOINT_NAME)
    groups = {key.split("/")[0] for key in arrays if key != "meta"}
    assert groups == {"generator", "discriminator", "ema_generator", "d_optimizer", "g_optimizer", "gan"}
    assert meta["epoch"] == EPOCHS and len(meta["history"]["d_loss"]) == EPOCHS
    assert int(arrays["d_optimizer/0000"]) == int(arrays["g_optimizer/0000"]) == EPOCHS * 128 // BATCH  # Adam's step
    assert arrays["gan/0000"].shape == (16, 16)  # the fixed latent batch of the progress grids
    assert read_checkpoint(straight["dir"] / PREVIOUS_CHECKPOINT_NAME)[1]["epoch"] < EPOCHS  # an earlier one is kept


# ------------------------------------------------------------------------------ resume from a CLI
def cli_args(out: Path, epochs: int, *extra: str) -> list[str]:
    return ["dcgan", "--output", str(out), "--epochs", str(epochs), "--subset", "128", "--batch-size", "32",
            "--seed", "3", "--quiet", *extra]


def cli(out: Path, epochs: int, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "gan_utils.train", *cli_args(out, epochs, *extra)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=SUBPROCESS_ENV)


def finish(run: subprocess.Popen) -> None:
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err[-3000:]


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory) -> dict[str, Path]:
    """Three runs of the command line, side by side: 4 epochs straight; 2 epochs then --resume to 4;
    4 epochs SIGKILLed as soon as its first checkpoint appears, then --resume."""
    dirs = {name: tmp_path_factory.mktemp(name) for name in ("straight", "resumed", "killed")}
    straight_run, first_half, doomed = cli(dirs["straight"], 4), cli(dirs["resumed"], 2), cli(dirs["killed"], 4)
    checkpoint = dirs["killed"] / CHECKPOINT_NAME
    while not checkpoint.exists() and doomed.poll() is None:
        time.sleep(0.005)
    doomed.send_signal(signal.SIGKILL)
    doomed.communicate()
    dirs["killed_at_epoch"] = read_checkpoint(checkpoint)[1]["epoch"]
    dirs["killed_before_the_end"] = not (dirs["killed"] / "generator.json").exists()
    finish(first_half)
    resumes = [cli(dirs["resumed"], 4, "--resume"), cli(dirs["killed"], 4, "--resume")]
    for run in [straight_run, *resumes]:
        finish(run)
    return dirs


def assert_same_run(a: Path, b: Path) -> None:
    (arrays_a, meta_a), (arrays_b, meta_b) = read_checkpoint(a / CHECKPOINT_NAME), read_checkpoint(b / CHECKPOINT_NAME)
    assert meta_a == meta_b  # epoch and the full loss history
    assert_same(arrays_a, arrays_b)
    assert (a / "samples.png").read_bytes() == (b / "samples.png").read_bytes()


def test_same_seed_gives_bit_identical_runs_in_separate_processes(cli_runs, tmp_path, capsys):
    # The command line's own main(), run here inside pytest's process (which has trained other GANs
    # already), against the same command run in a fresh process: set_seed alone makes them agree.
    assert train_main(cli_args(tmp_path, 4)) == 0
    assert_same_run(cli_runs["straight"], tmp_path)


def test_cli_two_epochs_then_resume_matches_four_straight(cli_runs):
    assert json.loads((cli_runs["resumed"] / "run.json").read_text())["sessions"][-1]["to_step"] == 4 * 128 // 32
    assert_same_run(cli_runs["straight"], cli_runs["resumed"])


def test_cli_killed_mid_run_resumes_from_its_last_checkpoint_to_the_same_weights(cli_runs):
    assert cli_runs["killed_before_the_end"] and cli_runs["killed_at_epoch"] < 4
    assert_same_run(cli_runs["straight"], cli_runs["killed"])


# -------------------------------------------------------------------------- atomic and verified
@pytest.fixture()
def two_checkpoints(tmp_path) -> tuple[Path, dict, dict]:
    """A folder with checkpoint.prev.npz (epoch 1) and checkpoint.npz (epoch 2); the two states."""
    gan = tiny_gan()
    save_checkpoint(gan, tmp_path, 1)
    first = state(gan)
    for v in gan.generator.trainable_weights + gan.discriminator.trainable_weights:
        v.assign(v + 1.0)
    save_checkpoint(gan, tmp_path, 2)
    return tmp_path, first, state(gan)


def test_save_writes_a_temporary_file_then_renames_it_over_the_old_one(two_checkpoints, monkeypatch):
    folder, _, _ = two_checkpoints
    renames = []
    real_replace = os.replace

    def spy(src, dst):
        if Path(src).name == CHECKPOINT_NAME + ".tmp":
            read_checkpoint(src)  # complete and valid before it takes the checkpoint's name
        renames.append((Path(src).name, Path(dst).name))
        real_replace(src, dst)

    monkeypatch.setattr(checkpoints.os, "replace", spy)
    save_checkpoint(tiny_gan(), folder, 3)
    assert renames == [(CHECKPOINT_NAME, PREVIOUS_CHECKPOINT_NAME), (CHECKPOINT_NAME + ".tmp", CHECKPOINT_NAME)]
    assert read_checkpoint(folder / PREVIOUS_CHECKPOINT_NAME)[1]["epoch"] == 2


def test_a_save_that_dies_halfway_leaves_the_last_checkpoint_intact(two_checkpoints, monkeypatch):
    folder, _, second = two_checkpoints

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoints.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        save_checkpoint(tiny_gan(), folder, 3)
    monkeypatch.undo()
    assert (folder / (CHECKPOINT_NAME + ".tmp")).exists()  # the half-written file is left behind...
    gan = tiny_gan(seed=9)
    assert restore_checkpoint(gan, folder)["epoch"] == 2  # ...and ignored
    assert_same(state(gan), second)


def test_leftover_temporary_file_is_ignored(two_checkpoints):
    folder, _, second = two_checkpoints
    (folder / (CHECKPOINT_NAME + ".tmp")).write_bytes(b"PK\x03\x04 half a checkpoint")
    gan = tiny_gan(seed=9)
    assert restore_checkpoint(gan, folder)["epoch"] == 2
    assert_same(state(gan), second)


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def empty(path: Path) -> None:
    path.write_bytes(b"")


def tamper_but_keep_a_valid_archive(path: Path) -> None:
    """Change one weight and rewrite a perfectly valid .npz: only the SHA-256 digest can tell."""
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["generator/0000"] = arrays["generator/0000"] + 1e-3
    np.savez(path, **arrays)


@pytest.mark.parametrize("damage", [truncate, flip_a_byte, empty, tamper_but_keep_a_valid_archive],
                         ids=["truncated", "flipped-byte", "empty", "tampered-valid-zip"])
def test_damaged_checkpoint_is_reported_by_name_and_the_previous_one_is_used(two_checkpoints, damage):
    folder, first, _ = two_checkpoints
    damage(folder / CHECKPOINT_NAME)
    with pytest.raises(CorruptCheckpointError, match=CHECKPOINT_NAME):
        read_checkpoint(folder / CHECKPOINT_NAME)
    gan = tiny_gan(seed=9)
    with pytest.warns(UserWarning, match=rf"checkpoint {folder / CHECKPOINT_NAME} .*(unreadable|digest)"):
        meta = restore_checkpoint(gan, folder)
    assert meta["epoch"] == 1
    assert_same(state(gan), first)
    assert (folder / (CHECKPOINT_NAME + ".corrupt")).exists() and not (folder / CHECKPOINT_NAME).exists()


def test_no_good_checkpoint_left_is_an_error_never_a_silent_fresh_start(two_checkpoints, images):
    folder, _, _ = two_checkpoints
    truncate(folder / CHECKPOINT_NAME)
    flip_a_byte(folder / PREVIOUS_CHECKPOINT_NAME)
    gan = tiny_gan()
    before = state(gan)
    with pytest.warns(UserWarning), pytest.raises(CorruptCheckpointError, match="no good checkpoint.*checkpoint.npz and checkpoint.prev.npz"):
        fit_gan(gan, images, epochs=2, batch_size=BATCH, output_dir=folder, resume=True, verbose=0)
    assert_same(state(gan), before)


def test_resume_with_a_corrupt_latest_checkpoint_continues_from_the_previous_one(images, straight, tmp_path):
    fit_gan(tiny_gan(), images, epochs=2, batch_size=BATCH, output_dir=tmp_path, verbose=0)
    truncate(tmp_path / CHECKPOINT_NAME)  # the epoch-2 checkpoint is lost: training resumes after epoch 1
    gan = tiny_gan()
    with pytest.warns(UserWarning, match="checkpoint.npz"):
        fit_gan(gan, images, epochs=EPOCHS, batch_size=BATCH, output_dir=tmp_path, resume=True, verbose=0)
    assert_same(state(gan), straight["state"])


class _WritesAFileWhenUnpickled:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_checkpoint_with_an_object_array_is_refused_without_unpickling(tmp_path):
    marker = tmp_path / "unpickled"
    path = tmp_path / CHECKPOINT_NAME
    np.savez(path, meta=np.array([_WritesAFileWhenUnpickled(marker)], dtype=object), digest=np.array("0" * 64))
    with pytest.raises(CorruptCheckpointError, match=rf"{CHECKPOINT_NAME}.*allow_pickle=False"):
        read_checkpoint(path)
    assert not marker.exists()


# ---------------------------------------------------------------------------- non-finite guard
class BreakAtEpoch(keras.callbacks.Callback):
    """At the start of epoch 2, make training diverge: a huge learning rate, or a NaN weight."""

    def __init__(self, how: str):
        super().__init__()
        self.how = how

    def on_epoch_begin(self, epoch, logs=None):
        if epoch != 1:
            return
        if self.how == "huge learning rate":
            self.model.d_optimizer.learning_rate.assign(1e38)
            self.model.g_optimizer.learning_rate.assign(1e38)
        else:
            kernel = self.model.discriminator.trainable_weights[0]
            kernel.assign(np.full(kernel.shape, np.nan, "float32"))


@pytest.mark.parametrize(("how", "step"), [("huge learning rate", r"\d+"), ("NaN weight", "1")])
def test_non_finite_loss_stops_training_naming_epoch_and_step_and_keeps_the_last_good_checkpoint(images, tmp_path, how, step):
    gan = tiny_gan()
    with pytest.raises(NonFiniteLossError, match=rf"(d_loss|g_loss) became (nan|inf|-inf) at epoch 2, step {step};"):
        fit_gan(gan, images, epochs=EPOCHS, batch_size=BATCH, output_dir=tmp_path, verbose=0, callbacks=[BreakAtEpoch(how)])
    arrays, meta = read_checkpoint(tmp_path / CHECKPOINT_NAME)
    assert meta["epoch"] == 1 and all(np.isfinite(a).all() for k, a in arrays.items() if a.dtype.kind == "f")
    resumed = tiny_gan()
    assert restore_checkpoint(resumed, tmp_path)["epoch"] == 1
    assert np.isfinite(resumed.sample()).all()


# -------------------------------------------------------------------------------- safe loading
def test_keras_file_with_a_lambda_layer_is_refused(tmp_path):
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    model.save(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match=r"lambda\.keras is not a loadable Keras model.*(Lambda|lambda).*safe_mode"):
        pretrained.load_model_safely(tmp_path / "lambda.keras")


@pytest.fixture()
def shipped(tmp_path, monkeypatch) -> Path:
    """A stand-in for files/: one shipped generator and its SHA256SUMS; load_pretrained reads there."""
    folder = tmp_path / "pretrained"
    record = pretrained.save_network(models.build_dcgan_generator(16, width=8), folder / "dcgan_generator")
    sums = tmp_path / "SHA256SUMS"
    sums.write_text("".join(f"{pretrained.sha256(p)}  pretrained/{p.name}\n" for p in pretrained.network_files(record)))
    monkeypatch.setattr(pretrained, "PRETRAINED_DIR", folder)
    monkeypatch.setattr(pretrained, "CHECKSUMS", sums)
    return record


def test_shipped_weights_are_checked_before_loading(shipped):
    assert gan_utils.load_pretrained("dcgan").inputs[0].shape[-1] == 16
    weights = pretrained.network_files(shipped)[1]
    with zipfile.ZipFile(weights, "a") as archive:  # still a readable .npz file, but not the shipped one
        archive.writestr("extra.npy", b"changed")
    with pytest.raises(ValueError, match="does not match its SHA-256 checksum"):
        gan_utils.load_pretrained("dcgan")


def test_shipped_record_is_checked_before_loading(shipped):
    shipped.write_text(shipped.read_text().replace('"width": 8', '"width": 16'))
    with pytest.raises(ValueError, match=r"dcgan_generator\.json does not match its SHA-256 checksum"):
        gan_utils.load_pretrained("dcgan")


def test_tampered_file_is_refused_by_verify_checksum(tmp_path):
    weights = tmp_path / "pretrained" / "g.keras"
    weights.parent.mkdir()
    weights.write_bytes(b"shipped bytes")
    sums = tmp_path / "SHA256SUMS"
    sums.write_text(f"{hashlib.sha256(b'shipped bytes').hexdigest()}  pretrained/g.keras\n")
    pretrained.verify_checksum(weights, sums)
    weights.write_bytes(b"shipped bytes, then changed")
    with pytest.raises(ValueError, match=r"g\.keras does not match its SHA-256 checksum"):
        pretrained.verify_checksum(weights, sums)


SHIPPED = sorted(p for pattern in ("*.json", "*.weights.npz") for p in pretrained.PRETRAINED_DIR.parent.rglob(pattern))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_shipped_network_file_matches_files_sha256sums(path):
    pretrained.verify_checksum(path)


def test_sha256sums_lists_only_files_that_exist():
    listed = set(pretrained.read_checksums())
    assert listed == {p.relative_to(pretrained.CHECKSUMS.parent).as_posix() for p in SHIPPED}


def test_package_never_unpickles_or_leaves_safe_mode():
    sources = {p.name: p.read_text() for p in (REPO / "gan_utils").glob("*.py")}
    for needle in ("allow_pickle=True", "import pickle", "safe_mode=False", "enable_unsafe_deserialization"):
        offenders = [name for name, text in sources.items() if needle in text]
        assert not offenders, f"{needle} in {offenders}"
    assert "np.load(path, allow_pickle=False)" in sources["checkpoints.py"]


def test_checkpoint_is_plain_arrays_and_json(straight):
    with zipfile.ZipFile(straight["dir"] / CHECKPOINT_NAME) as archive:
        for name in archive.namelist():
            header = archive.read(name)[:256]
            assert b"'descr': '|O'" not in header, f"{name} is an object array"
    meta = read_checkpoint(straight["dir"] / CHECKPOINT_NAME)[1]
    json.dumps(meta)  # plain JSON

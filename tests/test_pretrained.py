"""gan_utils.train (the command line) and gan_utils.pretrained (run folders; checksum refusals are in test_reliability.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

import gan_utils
from gan_utils import pretrained


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    result = subprocess.run(
        [sys.executable, "-m", "gan_utils.train", "vanilla", "--output", str(out), "--epochs", "2",
         "--subset", "1024", "--batch-size", "128", "--seed", "3", "--monitor", "2"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return out, result.stdout


def test_cli_writes_weights_samples_and_history(run_dir):
    out, stdout = run_dir
    for name in ("generator.json", "generator.weights.npz", "discriminator.json", "discriminator.weights.npz",
                 "samples.png", "history.json", "run.json", "checkpoint.npz"):
        assert (out / name).is_file(), name
    history = json.loads((out / "history.json").read_text())
    assert len(history["d_loss"]) == 2 and len(history["g_loss"]) == 2
    run = json.loads((out / "run.json").read_text())
    assert run["seed"] == 3 and run["recipe"]["model"] == "vanilla" and run["images"] == 1024
    assert "python -m gan_utils.train vanilla" in run["command"]
    assert set(run["versions"]) >= {"python", "tensorflow", "keras", "numpy"}


def test_cli_prints_progress_like_fit(run_dir):
    _, stdout = run_dir
    assert "Epoch 1/2" in stdout and "d_loss" in stdout


def test_cli_monitor_prints_quality_scores_every_n_epochs(run_dir):
    _, stdout = run_dir
    reports = re.findall(r"\[QualityMonitor\] epoch (\d+): FID \(MNIST classifier features\) [\d.]+.*?precision [\d.]+", stdout)
    assert reports == ["2"], stdout[-2000:]  # --monitor 2 over 2 epochs: one report, after epoch 2


def test_load_generator_round_trip_gives_identical_outputs(run_dir):
    out, _ = run_dir
    g1, g2 = gan_utils.load_generator(out), gan_utils.load_generator(out)
    z = gan_utils.latent_batch(g1, 8, seed=1)
    a, b = np.asarray(g1(z, training=False)), np.asarray(g2(z, training=False))
    assert a.shape == (8, 28, 28, 1) and np.array_equal(a, b)


def test_saved_generator_equals_the_trained_one(tmp_path, mnist_small):
    gan_utils.set_seed(0)
    gan = gan_utils.build_gan(gan_utils.get_recipe("dcgan", smoke=False, width=8))
    gan_utils.fit_gan(gan, mnist_small[0], epochs=1, batch_size=128, verbose=0)
    pretrained.save_network(gan.sampler, tmp_path / "generator")
    loaded = gan_utils.load_generator(tmp_path)
    z = gan.fixed_z.numpy()
    assert np.array_equal(np.asarray(loaded(z, training=False)), gan.sample(z))


def test_load_generator_explains_an_empty_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m gan_utils.train"):
        gan_utils.load_generator(tmp_path)


def test_cli_refuses_bad_arguments():
    for args in (["gan"], ["dcgan"], ["dcgan", "--output", "x", "--epochs", "0"], ["dcgan", "--output", "x", "--digits", "11"]):
        result = subprocess.run([sys.executable, "-m", "gan_utils.train", *args], capture_output=True, text=True, timeout=120)
        assert result.returncode == 2 and "error:" in result.stderr, args


def test_unknown_pretrained_name_is_refused():
    with pytest.raises(ValueError, match="choose one of"):
        gan_utils.load_pretrained("biggan")

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
    spec = run["spec"]
    assert spec["seed"] == 3 and spec["recipe"]["model"] == "vanilla" and spec["images"] == 1024
    assert "python -m gan_utils.train vanilla" in run["command"]
    assert set(run["versions"]) >= {"python", "tensorflow", "keras", "numpy"}


def test_cli_prints_progress_like_fit(run_dir):
    _, stdout = run_dir
    assert "epoch 1/2" in stdout and "d_loss" in stdout and "\r" not in stdout  # a log file gets lines, not a bar


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


# ------------------------------------------------------------------- saved networks (weights + arguments)
def test_saved_network_is_rebuilt_by_its_builder_with_identical_outputs(tmp_path):
    generator = gan_utils.build_conditional_generator(latent_dim=8, width=4)
    record = pretrained.save_network(generator, tmp_path / "g")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.json", "g.weights.npz"]
    loaded = pretrained.load_network(record)
    z, labels = np.ones((3, 8), "float32"), np.array([0, 4, 9])
    assert np.array_equal(np.asarray(loaded([z, labels], training=False)), np.asarray(generator([z, labels], training=False)))


def test_moving_average_generator_saves_like_the_generator_it_follows(tmp_path):
    gan = gan_utils.build_gan(gan_utils.get_recipe("dcgan", smoke=False, width=4, latent_dim=8))
    assert gan.sampler is gan.ema_generator
    record = json.loads(pretrained.save_network(gan.sampler, tmp_path / "g").read_text())
    assert record["builder"] == "build_dcgan_generator" and record["arguments"]["width"] == 4


def test_network_no_builder_made_is_refused_before_anything_is_written(tmp_path):
    import keras

    z = keras.Input((4,))
    with pytest.raises(ValueError, match="not made by a gan_utils builder.*register_builder"):
        pretrained.save_network(keras.Model(z, keras.layers.Dense(2)(z)), tmp_path / "g")
    assert not any(tmp_path.iterdir())


def test_changed_weights_file_is_refused(tmp_path):
    record = pretrained.save_network(gan_utils.build_dcgan_generator(8, width=2), tmp_path / "g")
    other = pretrained.save_network(gan_utils.build_dcgan_generator(8, width=2), tmp_path / "other")
    pretrained.network_files(other)[1].replace(pretrained.network_files(record)[1])
    with pytest.raises(ValueError, match="does not match the SHA-256 recorded in g.json"):
        pretrained.load_network(record)


def test_record_naming_an_unknown_builder_is_refused(tmp_path):
    record = pretrained.save_network(gan_utils.build_dcgan_generator(8, width=2), tmp_path / "g")
    record.write_text(record.read_text().replace("build_dcgan_generator", "build_biggan"))
    with pytest.raises(ValueError, match="unknown builder 'build_biggan'.*build_dcgan_generator"):
        pretrained.load_network(record)


def test_record_from_a_newer_format_asks_to_update_gan_utils(tmp_path):
    record = pretrained.save_network(gan_utils.build_dcgan_generator(8, width=2), tmp_path / "g")
    data = json.loads(record.read_text())
    data["format_version"] = pretrained.NETWORK_FORMAT_VERSION + 1
    record.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="Update gan_utils"):
        pretrained.load_network(record)


def test_weights_for_other_arguments_are_refused_with_the_variable_named(tmp_path):
    record = pretrained.save_network(gan_utils.build_dcgan_generator(8, width=2), tmp_path / "g")
    record.write_text(record.read_text().replace('"width": 2', '"width": 3'))
    with pytest.raises(ValueError, match=r"has shape .* in the file but .* in the rebuilt build_dcgan_generator"):
        pretrained.load_network(record)


def test_a_file_that_is_not_a_record_is_refused(tmp_path):
    (tmp_path / "g.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="not a gan_utils saved network"):
        pretrained.load_network(tmp_path / "g.json")
    (tmp_path / "h.json").write_text("{not json")
    with pytest.raises(ValueError, match="not JSON"):
        pretrained.load_network(tmp_path / "h")

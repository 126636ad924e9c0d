"""Files written by one TensorFlow / Keras / NumPy load on every version the project declares.

CI runs this file in three environments (README, "Tested versions"): the newest releases, Colab's
runtime and the oldest declared bounds. The reference data in ``tests/data/`` was written by the
newest Keras (``python scripts/reference_outputs.py``), so passing here in the older environments
proves that what a newer Keras saved, an older one reads and computes the same way.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

import gan_utils
from gan_utils import config, metrics, models, pretrained

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(ROOT / "scripts"))
import reference_outputs  # noqa: E402  (scripts/ is not a package)

REFERENCE = np.load(DATA / "shipped_outputs.npz")
SHIPPED = sorted({key.split("/")[0] for key in REFERENCE.files})
#: Float tolerance between versions and CPUs: outputs are tanh images, logits of order 10 and probabilities.
RTOL, ATOL = 1e-4, 1e-4


def declared_lower_bound(package: str) -> tuple[int, ...]:
    """The ``>=`` bound of ``package`` in pyproject.toml's dependencies, as a version tuple."""
    text = (ROOT / "pyproject.toml").read_text()
    match = re.search(rf'"{package}>=([\d.]+)', text)
    assert match, f"pyproject.toml declares no lower bound for {package}"
    return version_tuple(match.group(1))


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def shipped_network(name: str) -> keras.Model:
    if name == "mnist_classifier":
        return metrics.load_classifier()
    model, network = name.split("_")
    return gan_utils.load_pretrained(model, network)


def test_every_shipped_network_has_reference_outputs():
    shipped = {p.stem for p in (config.FILES_DIR).rglob("*.json")}
    assert SHIPPED == sorted(shipped), "run python scripts/reference_outputs.py --shipped after shipping a network"


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_network_gives_its_reference_outputs_on_this_keras(name):
    model = shipped_network(name)
    inputs = [REFERENCE[f"{name}/input{i}"] for i in range(len(model.inputs))]
    np.testing.assert_allclose(reference_outputs.outputs(model, inputs), REFERENCE[f"{name}/output"], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("path", sorted(config.FILES_DIR.rglob("*.json")), ids=lambda p: p.name)
def test_shipped_record_loads_on_the_oldest_declared_keras(path):
    record = pretrained.read_network_record(path)
    assert record["builder"] in models.BUILDERS
    assert record["format_version"] <= pretrained.NETWORK_FORMAT_VERSION
    assert (path.parent / record["weights"]).is_file()


def test_no_whole_model_file_ships_that_the_oldest_declared_keras_cannot_read():
    oldest = declared_lower_bound("keras")
    for path in config.FILES_DIR.rglob("*.keras"):
        written = pretrained.keras_version_of(path)
        assert written is not None and version_tuple(written) <= oldest, (
            f"{path} was written by Keras {written}; Keras {'.'.join(map(str, oldest))} (the declared lower bound) "
            "cannot read it. Ship it with gan_utils.pretrained.save_network instead."
        )


def test_run_folder_written_by_another_keras_loads_and_gives_its_outputs():
    expected = np.load(DATA / "run" / "outputs.npz")
    generator = gan_utils.load_generator(DATA / "run")
    np.testing.assert_allclose(np.asarray(generator(expected["z"], training=False)), expected["generator"], rtol=RTOL, atol=ATOL)
    discriminator = pretrained.load_network(DATA / "run" / "discriminator")
    np.testing.assert_allclose(np.asarray(discriminator(expected["images"], training=False)), expected["discriminator"], rtol=RTOL, atol=ATOL)


def test_checkpoint_written_by_another_keras_restores_every_variable():
    expected = np.load(DATA / "run" / "outputs.npz")
    recipe = gan_utils.get_recipe("dcgan", smoke=False, batch_size=32, **reference_outputs.RUN_RECIPE)
    gan = gan_utils.build_gan(recipe)
    meta = gan_utils.restore_checkpoint(gan, DATA / "run")
    assert meta["epoch"] == 1
    np.testing.assert_allclose(gan.sample(expected["z"]), expected["generator"], rtol=RTOL, atol=ATOL)
    assert int(gan.g_optimizer.iterations.numpy()) == 2  # 64 images, batch 32: two steps


def test_saved_network_records_the_versions_that_wrote_it(tmp_path):
    record = json.loads(pretrained.save_network(models.build_dcgan_generator(8, width=2), tmp_path / "g").read_text())
    assert record["written_by"]["keras"] == keras.__version__ and record["builder"] == "build_dcgan_generator"


def newer_keras_file(tmp_path: Path) -> Path:
    """A .keras file as a newer Keras would write it: its metadata says 99.0 and its config has an
    argument this Keras does not know."""
    path = tmp_path / "run" / "generator.keras"
    path.parent.mkdir()
    models.build_dcgan_generator(8, width=2).save(path)
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    metadata = json.loads(files["metadata.json"])
    metadata["keras_version"] = "99.0.0"
    config_json = json.loads(files["config.json"])
    config_json["config"]["layers"][1]["config"]["argument_from_the_future"] = None
    files["metadata.json"], files["config.json"] = json.dumps(metadata), json.dumps(config_json)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def test_old_keras_run_folder_still_loads_where_this_keras_reads_it(tmp_path):
    generator = models.build_dcgan_generator(8, width=2)
    (tmp_path / "run").mkdir()
    generator.save(tmp_path / "run" / "generator.keras")
    z = np.ones((2, 8), "float32")
    np.testing.assert_allclose(np.asarray(gan_utils.load_generator(tmp_path / "run")(z)), np.asarray(generator(z)), rtol=RTOL, atol=ATOL)


def test_keras_file_from_a_newer_keras_is_refused_with_both_versions_and_a_way_out(tmp_path):
    newer_keras_file(tmp_path)
    with pytest.raises(ValueError, match=rf"written by Keras 99\.0\.0 and this is Keras {re.escape(keras.__version__)}.*save_network"):
        gan_utils.load_generator(tmp_path / "run")

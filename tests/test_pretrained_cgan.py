"""The shipped conditional generator: how it is called, that it draws the digit asked for, and that
wrong labels are refused with a clear message."""

from __future__ import annotations

import numpy as np
import pytest

import gan_utils
from gan_utils import metrics
from gan_utils.training import check_labels


@pytest.fixture(scope="module")
def cgan():
    return gan_utils.load_pretrained("cgan")


def test_shipped_cgan_is_called_with_z_and_integer_labels(cgan):
    z = gan_utils.latent_batch(cgan, 4, seed=0)
    images = np.asarray(cgan([z, np.array([0, 3, 7, 9])], training=False))
    assert images.shape == (4, 28, 28, 1) and -1.0 <= images.min() and images.max() <= 1.0


def test_shipped_cgan_draws_the_digit_asked_for_95_percent_of_the_time(cgan):
    acc = metrics.conditional_accuracy(cgan, n_per_class=1000, seed=0)  # 10,000 samples
    assert acc["confusion"].sum() == 10_000
    assert acc["overall"] >= 0.95, acc["per_class"]
    assert acc["per_class"].min() >= 0.90, acc["per_class"]


def test_same_z_different_labels_give_different_digits(cgan):
    for z in gan_utils.latent_batch(cgan, 5, seed=3):
        images = np.asarray(cgan([np.repeat(z[None], 10, axis=0), np.arange(10)], training=False))
        read = metrics.predict_classes(images)
        assert len(set(read.tolist())) >= 9 and (read == np.arange(10)).mean() >= 0.9, read


def test_shipped_cgan_discriminator_loads_beside_it():
    d = gan_utils.load_pretrained("cgan", network="discriminator")
    x, y = gan_utils.load_mnist(split="test", subset=8, seed=0)
    logits = np.asarray(d([x, y], training=False))
    assert logits.shape == (8, 1) and np.all(np.isfinite(logits))


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (np.array([0, 10]), "from 0 to 9"),
        (np.array([-1, 3]), "from 0 to 9"),
        (np.array([[1], [2]]), r"shape \(2,\)"),
        (np.array([1, 2, 3]), r"shape \(2,\)"),
        (np.array([1.5, 2.0]), "integers"),
    ],
    ids=["ten", "negative", "column vector", "too many", "floats"],
)
def test_wrong_labels_are_refused(labels, message):
    with pytest.raises(ValueError, match=message):
        check_labels(labels, 2, 10)


def test_explorer_digit_selector_refuses_a_label_outside_0_to_9(cgan):
    explorer = gan_utils.LatentExplorer(cgan, seed=0, n_directions=1, samples=64)
    explorer.label = 4
    four = explorer.image
    explorer.label = 9
    assert not np.allclose(four, explorer.image)
    with pytest.raises(ValueError, match="0.*9"):
        explorer.label = 10

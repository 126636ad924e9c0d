"""Shared fixtures. Tests read MNIST through GAN_UTILS_MNIST (CI points it at ../shared/data/mnist.npz)
or, on a user's machine without it, through Keras' download."""

from __future__ import annotations

import numpy as np
import pytest

import gan_utils


@pytest.fixture(scope="session")
def mnist_small() -> tuple[np.ndarray, np.ndarray]:
    """512 real training images in [-1, 1] with their labels."""
    return gan_utils.load_mnist(subset=512, seed=0)


@pytest.fixture()
def seeded() -> None:
    """Seed everything before a test that trains."""
    gan_utils.set_seed(0)

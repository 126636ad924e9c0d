"""gan_utils: the library behind the GAN tutorial series.

Notebooks teach; this package does the work. Every name below is public and documented.

Example:
    >>> import gan_utils
    >>> gan_utils.set_seed(0)
    >>> x, y = gan_utils.load_mnist(digits=0, subset=512)        # doctest: +SKIP
    >>> photos = gan_utils.load_images("my_photos", image_size=64) # doctest: +SKIP
    >>> gan = gan_utils.build_gan("dcgan")                        # doctest: +SKIP
    >>> history = gan_utils.fit_gan(gan, x, epochs=2)             # doctest: +SKIP
"""

from __future__ import annotations

import os
import random

from gan_utils import config

config.quiet_tensorflow_in_notebooks()  # before Keras loads TensorFlow: no C++ log lines in notebooks

import keras
import numpy as np
import tensorflow as tf

from gan_utils.config import SMOKE, colab_url
from gan_utils.data import check_digits, load_mnist, make_dataset, mnist_source, scale_images
from gan_utils.images import ImageStream, image_dataset, image_stream, load_images
from gan_utils.models import (
    build_conditional_discriminator,
    build_conditional_generator,
    build_dcgan_discriminator,
    build_dcgan_generator,
    build_mlp_discriminator,
    build_mlp_generator,
)
from gan_utils.losses import OBJECTIVES, Objective, get_objective
from gan_utils.augment import diff_augment
from gan_utils.plotting import (
    Animation,
    image_grid,
    plot_grid,
    plot_losses,
    save_figure,
    save_gif,
    save_real_vs_fake,
    show_grid,
    show_samples,
)
from gan_utils.pretrained import latent_batch, load_generator, load_pretrained
from gan_utils.widgets import LatentDirections, LatentExplorer, interpolate, latent_directions, slerp
from gan_utils.features import FeatureWeightsUnavailable, get_extractor
from gan_utils.metrics import (
    QualityMonitor,
    classifier_features,
    compare,
    conditional_accuracy,
    evaluate,
    frechet_distance,
    load_classifier,
    precision_recall,
    nearest_real,
    predict_classes,
    real_floor,
)
from gan_utils.recipes import RECIPES, Recipe, build_gan, get_recipe
from gan_utils.gan import GAN
from gan_utils.lessons import check_loss, check_model, check_train_step
from gan_utils.losses import discriminator_loss, generator_loss
from gan_utils.checkpoints import CorruptCheckpointError, restore_checkpoint, save_checkpoint
from gan_utils.callbacks import Checkpoint, GifWriter, NonFiniteLossError, SampleGrid, StopOnNonFinite, TimeBudget
from gan_utils.fit import fit_gan

__version__ = "0.1.0"


def set_seed(seed: int, deterministic: bool = True) -> None:
    """Make a run repeatable: seed Python, NumPy, TensorFlow and Keras, and make TF ops deterministic.

    With ``deterministic=True`` (default) TensorFlow's op determinism is switched on, so that two
    runs of the same length give bit-identical weights on a CPU (and on a GPU, at some cost in speed).

    Example:
        >>> set_seed(42)
        >>> a = np.random.rand(); set_seed(42); a == np.random.rand()
        True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be a non-negative integer below 2**32, got {seed!r}.")
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(int(seed))  # also seeds tf.random
    if deterministic:
        tf.config.experimental.enable_op_determinism()


__all__ = [
    # setup
    "set_seed",
    "SMOKE",
    "colab_url",
    # data
    "load_mnist",
    "make_dataset",
    "scale_images",
    "check_digits",
    "mnist_source",
    "load_images",
    "image_dataset",
    "image_stream",
    "ImageStream",
    # models
    "build_mlp_generator",
    "build_mlp_discriminator",
    "build_dcgan_generator",
    "build_dcgan_discriminator",
    "build_conditional_generator",
    "build_conditional_discriminator",
    # recipes
    "Recipe",
    "RECIPES",
    "get_recipe",
    "build_gan",
    # objectives (loss families)
    "get_objective",
    "Objective",
    "OBJECTIVES",
    # training
    "GAN",
    "fit_gan",
    "discriminator_loss",
    "generator_loss",
    "diff_augment",
    "SampleGrid",
    "GifWriter",
    "Checkpoint",
    "StopOnNonFinite",
    "TimeBudget",
    "NonFiniteLossError",
    "CorruptCheckpointError",
    "save_checkpoint",
    "restore_checkpoint",
    # checking a learner's work (gan_utils.lessons)
    "check_train_step",
    "check_model",
    "check_loss",
    # plotting
    "image_grid",
    "plot_grid",
    "show_grid",
    "show_samples",
    "plot_losses",
    "save_figure",
    "save_gif",
    "Animation",
    "save_real_vs_fake",
    # trained generators
    "load_generator",
    "load_pretrained",
    "latent_batch",
    # measuring samples (the MNIST classifier)
    "evaluate",
    "real_floor",
    "nearest_real",
    "conditional_accuracy",
    "QualityMonitor",
    "load_classifier",
    "classifier_features",
    "predict_classes",
    "frechet_distance",
    "precision_recall",
    # measuring any images (feature extractors: InceptionV3, the classifier, a random stand-in)
    "compare",
    "get_extractor",
    "FeatureWeightsUnavailable",
    # exploring the latent space
    "LatentExplorer",
    "LatentDirections",
    "latent_directions",
    "interpolate",
    "slerp",
]

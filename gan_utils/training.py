"""Training a GAN: the names of :mod:`gan_utils.gan`, :mod:`gan_utils.checkpoints`,
:mod:`gan_utils.callbacks` and :mod:`gan_utils.fit`, gathered under their first address.

This module once held all of them (and the cross-entropy losses, now in :mod:`gan_utils.losses`);
it keeps ``from gan_utils.training import GAN, fit_gan, ...`` working.

Typical use::

    gan = GAN(build_dcgan_generator(), build_dcgan_discriminator())
    gan.compile()
    history = fit_gan(gan, images, epochs=5, batch_size=64, output_dir="runs/dcgan")
"""

from __future__ import annotations

from gan_utils.callbacks import Checkpoint, EpochProgress, GifWriter, NonFiniteLossError, SampleGrid, StopOnNonFinite, TimeBudget
from gan_utils.checkpoints import (
    CHECKPOINT_NAME,
    PREVIOUS_CHECKPOINT_NAME,
    CorruptCheckpointError,
    read_checkpoint,
    restore_checkpoint,
    save_checkpoint,
)
from gan_utils.fit import fit_gan
from gan_utils.gan import GAN, check_discriminator_for, check_labels
from gan_utils.losses import discriminator_loss, generator_loss

__all__ = [
    "GAN", "check_discriminator_for", "check_labels", "discriminator_loss", "generator_loss",
    "CHECKPOINT_NAME", "PREVIOUS_CHECKPOINT_NAME", "CorruptCheckpointError", "read_checkpoint", "restore_checkpoint", "save_checkpoint",
    "Checkpoint", "EpochProgress", "GifWriter", "NonFiniteLossError", "SampleGrid", "StopOnNonFinite", "TimeBudget",
    "fit_gan",
]

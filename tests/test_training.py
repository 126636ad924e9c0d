"""gan_utils.training: the GAN model, its losses, callbacks and the fit_gan driver."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

import gan_utils
from gan_utils import models, training
from gan_utils.training import GAN, discriminator_loss, fit_gan, generator_loss


def small_dcgan(seed: int = 0, **kwargs) -> GAN:
    gan_utils.set_seed(seed)
    gan = GAN(models.build_dcgan_generator(16, width=8), models.build_dcgan_discriminator(width=8), seed=seed, **kwargs)
    gan.compile()
    return gan


def test_discriminator_loss_is_two_log_two_when_undecided():
    assert float(discriminator_loss(np.zeros(8, "float32"), np.zeros(8, "float32"))) == pytest.approx(2 * math.log(2), 1e-5)


def test_discriminator_loss_is_small_when_right():
    assert float(discriminator_loss(np.full(8, 10.0, "float32"), np.full(8, -10.0, "float32"))) < 1e-3


def test_generator_losses_share_the_fixed_point_but_not_the_gradient():
    import tensorflow as tf

    logits = tf.Variable(np.full(4, -6.0, "float32"))  # D confidently rejects the fakes
    grads = {}
    for kind in ("saturating", "non_saturating"):
        with tf.GradientTape() as tape:
            loss = generator_loss(logits, kind)
        grads[kind] = float(tf.reduce_sum(tf.abs(tape.gradient(loss, logits))))
    assert grads["non_saturating"] > 100 * grads["saturating"]


def test_unknown_generator_loss_is_refused():
    with pytest.raises(ValueError, match="non_saturating"):
        generator_loss(np.zeros(2, "float32"), "hinge")


def test_short_training_run_has_finite_losses_and_changes_the_generator(mnist_small):
    x, _ = mnist_small
    gan = small_dcgan()
    before = gan.sample()
    history = fit_gan(gan, x, epochs=2, batch_size=64, verbose=0)
    h = history.history
    assert set(h) >= {"d_loss", "g_loss", "d_real", "d_fake"} and len(h["d_loss"]) == 2
    assert all(math.isfinite(v) for vals in h.values() for v in vals)
    assert all(0.0 <= v <= 1.0 for v in h["d_real"] + h["d_fake"])
    assert np.abs(gan.sample() - before).mean() > 0.01


def test_conditional_gan_trains_with_the_same_loop(mnist_small):
    x, y = mnist_small
    gan_utils.set_seed(0)
    gan = GAN(models.build_conditional_generator(16, width=8), models.build_conditional_discriminator(width=8))
    gan.compile()
    history = fit_gan(gan, x, y, epochs=1, batch_size=64, verbose=0)
    assert gan.conditional and gan.num_classes == 10
    assert math.isfinite(history.history["g_loss"][0])
    assert gan.sample(labels=np.full(64, 3)).shape == (64, 28, 28, 1)


def test_conditional_gan_needs_labels(mnist_small):
    x, _ = mnist_small
    gan = GAN(models.build_conditional_generator(16, width=8), models.build_conditional_discriminator(width=8))
    gan.compile()
    with pytest.raises(ValueError, match="needs labels"):
        fit_gan(gan, x, epochs=1, verbose=0)


@pytest.mark.parametrize("labels", [np.array([10] * 64), np.array([-1] * 64), np.zeros((64, 1), int)])
def test_conditional_sampling_refuses_bad_labels(labels):
    gan = GAN(models.build_conditional_generator(16, width=8), models.build_conditional_discriminator(width=8))
    with pytest.raises(ValueError, match="labels"):
        gan.sample(labels=labels)


def test_images_of_the_wrong_shape_are_refused():
    gan = small_dcgan()
    with pytest.raises(ValueError, match=r"images have shape \(32, 32, 1\)"):
        fit_gan(gan, np.zeros((128, 32, 32, 1), "float32"), epochs=1)


def test_mismatched_networks_are_refused():
    g = models.build_dcgan_generator(16, width=8)
    d = models.build_mlp_discriminator(input_shape=(32, 32, 1), hidden_units=(8,))
    with pytest.raises(ValueError, match="same image shape"):
        GAN(g, d)


def test_fixed_latent_batch_gives_the_same_samples_each_call():
    gan = small_dcgan()
    assert np.array_equal(gan.sample(), gan.sample())
    assert gan.sample().shape == (64, 28, 28, 1)


def test_ema_generator_is_used_for_sampling(mnist_small):
    x, _ = mnist_small
    gan = small_dcgan(ema_decay=0.9)
    fit_gan(gan, x, epochs=1, batch_size=64, verbose=0)
    assert gan.sampler is gan.ema_generator
    raw = np.asarray(gan.generator(gan.fixed_z, training=False))
    assert not np.allclose(raw, gan.sample())  # the average differs from the live weights


def test_ema_decay_warms_up_to_its_set_value():
    gan = small_dcgan(ema_decay=0.999)
    decays = [float(gan.ema_decay_at(step)) for step in (0, 1, 90, 990, 10_000, 1_000_000)]
    assert decays == pytest.approx([0.1, 2 / 11, 0.91, 0.991, 0.999, 0.999], abs=1e-6)


def test_first_ema_update_uses_the_warm_up_decay(mnist_small):
    x, _ = mnist_small
    gan = small_dcgan(ema_decay=0.999)
    before = [w.numpy().copy() for w in gan.ema_generator.weights]
    fit_gan(gan, x[:64], epochs=1, batch_size=64, verbose=0)  # exactly one generator step
    decay = 2 / 11  # (1 + 1) / (10 + 1): with the plain 0.999 the average would barely move
    for ema_w, w, old in zip(gan.ema_generator.weights, gan.generator.weights, before):
        expected = decay * old + (1 - decay) * w.numpy() if w.trainable else w.numpy()
        np.testing.assert_allclose(ema_w.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_sample_grid_keeps_one_frame_per_epoch_and_gif_is_written(mnist_small, tmp_path):
    x, _ = mnist_small
    history = fit_gan(small_dcgan(), x, epochs=2, batch_size=128, output_dir=tmp_path, verbose=0)
    assert len(history.sample_grid.frames) == 2
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == ["epoch_0001.png", "epoch_0002.png"]
    from PIL import Image

    with Image.open(tmp_path / "progress.gif") as gif:
        assert gif.n_frames == 2


def test_time_budget_stops_cleanly(mnist_small):
    x, _ = mnist_small
    budget = gan_utils.TimeBudget(1e-6)
    history = fit_gan(small_dcgan(), x, epochs=5, batch_size=64, callbacks=[budget], verbose=0)
    assert budget.stopped_early and len(history.history["d_loss"]) == 1


def test_existing_run_is_not_overwritten_without_resume(mnist_small, tmp_path):
    x, _ = mnist_small
    fit_gan(small_dcgan(), x, epochs=1, batch_size=128, output_dir=tmp_path, verbose=0)
    with pytest.raises(FileExistsError, match="resume=True"):
        fit_gan(small_dcgan(), x, epochs=1, batch_size=128, output_dir=tmp_path, verbose=0)


def test_checkpoint_of_another_architecture_is_refused(mnist_small, tmp_path):
    x, _ = mnist_small
    fit_gan(small_dcgan(), x, epochs=1, batch_size=128, output_dir=tmp_path, verbose=0)
    other = GAN(models.build_dcgan_generator(16, width=16), models.build_dcgan_discriminator(width=16))
    other.compile()
    with pytest.raises(ValueError, match="different architecture"):
        fit_gan(other, x, epochs=2, batch_size=128, output_dir=tmp_path, resume=True, verbose=0)


def test_uncompiled_gan_is_refused(mnist_small):
    gan = GAN(models.build_dcgan_generator(16, width=8), models.build_dcgan_discriminator(width=8))
    with pytest.raises(ValueError, match="compile"):
        fit_gan(gan, mnist_small[0], epochs=1)


def test_build_gan_follows_the_recipe():
    recipe = gan_utils.get_recipe("dcgan", smoke=False, width=8, d_lr=1e-3)
    gan = gan_utils.build_gan(recipe)
    assert float(keras.ops.convert_to_numpy(gan.d_optimizer.learning_rate)) == pytest.approx(1e-3)
    assert gan.generator.inputs[0].shape[-1] == recipe.latent_dim


def test_smoke_recipe_is_small():
    smoke, full = gan_utils.get_recipe("dcgan", smoke=True), gan_utils.get_recipe("dcgan", smoke=False)
    assert smoke.epochs < full.epochs and smoke.subset is not None


def test_unknown_recipe_is_refused():
    with pytest.raises(ValueError, match="choose one of"):
        gan_utils.get_recipe("stylegan")


def test_resume_with_other_settings_is_refused(mnist_small, tmp_path):
    x, _ = mnist_small
    fit_gan(small_dcgan(), x, epochs=1, batch_size=128, output_dir=tmp_path, verbose=0)
    with pytest.raises(ValueError, match=r"batch_size=128 \(now 64\)"):
        fit_gan(small_dcgan(), x, epochs=2, batch_size=64, output_dir=tmp_path, resume=True, verbose=0)
    with pytest.raises(ValueError, match="different training images"):
        fit_gan(small_dcgan(), x[:256], epochs=2, batch_size=128, output_dir=tmp_path, resume=True, verbose=0)


def test_resumed_run_keeps_the_earlier_frames_of_its_animation(mnist_small, tmp_path):
    from PIL import Image

    x, _ = mnist_small
    fit_gan(small_dcgan(), x, epochs=1, batch_size=128, output_dir=tmp_path, verbose=0)
    history = fit_gan(small_dcgan(), x, epochs=3, batch_size=128, output_dir=tmp_path, resume=True, verbose=0)
    assert history.sample_grid.epochs == [1, 2, 3] and history.epochs_completed == 3
    with Image.open(tmp_path / "progress.gif") as gif:
        assert gif.n_frames == 3


def test_a_finished_run_is_reloaded_not_retrained(mnist_small, tmp_path):
    x, _ = mnist_small
    first = fit_gan(small_dcgan(), x, epochs=2, batch_size=128, output_dir=tmp_path, verbose=0)
    again = fit_gan(small_dcgan(), x, epochs=2, batch_size=128, output_dir=tmp_path, resume=True, verbose=0)
    assert again.history == first.history and len(again.sample_grid.frames) == 2


def test_a_time_budget_stop_does_not_count_the_partial_epoch(mnist_small):
    x, _ = mnist_small
    history = fit_gan(small_dcgan(), x, epochs=3, batch_size=64, time_budget=1e-6, verbose=0)
    assert history.stopped_by_time_budget and history.epochs_completed == 0


def test_epoch_progress_shows_one_line_per_epoch_updated_in_place(mnist_small, monkeypatch):
    """In a notebook fit_gan shows EpochProgress: one display per epoch, updated while it runs."""
    import IPython.display

    shown: list[list[str]] = []

    class Handle:
        def __init__(self, text):
            self.texts = [text]

        def update(self, data, raw=False):
            self.texts.append(data["text/plain"])

    def display(data, raw=False, display_id=False):
        assert raw and display_id is True
        handle = Handle(data["text/plain"])
        shown.append(handle.texts)
        return handle

    monkeypatch.setattr(IPython.display, "display", display)
    monkeypatch.setattr(gan_utils.config, "in_notebook", lambda: True)
    gan = gan_utils.build_gan(gan_utils.get_recipe("dcgan", smoke=False, width=4, latent_dim=8))
    progress = []
    monkeypatch.setattr(training.EpochProgress, "__init__", _with_interval_zero(training.EpochProgress.__init__, progress))
    gan_utils.fit_gan(gan, mnist_small[0][:256], epochs=2, batch_size=64)
    assert len(shown) == 2, "one output per epoch"
    for epoch, texts in enumerate(shown, start=1):
        assert len(texts) >= 4, "updated while the epoch runs"
        assert texts[-1].startswith(f"Epoch {epoch}/2  4/4 ") and "d_loss" in texts[-1] and "[" not in texts[-1]
    assert progress[0].lines == [texts[-1] for texts in shown]


def _with_interval_zero(init, made):
    def patched(self, epochs, steps=None, interval=0.5):
        init(self, epochs, steps, interval=0.0)
        made.append(self)

    return patched

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


@pytest.fixture()
def grid_every_epoch(monkeypatch):
    """Grids at every epoch end, however short (the default waits for SampleGrid.DEFAULT_MIN_STEPS steps)."""
    monkeypatch.setattr(gan_utils.SampleGrid, "DEFAULT_MIN_STEPS", 0)


def test_grids_on_a_small_folder_wait_for_min_steps_and_the_last_state_is_drawn(mnist_small, tmp_path, monkeypatch):
    monkeypatch.setattr(gan_utils.SampleGrid, "DEFAULT_MIN_STEPS", 8)  # 512 images at batch 128: 4 steps an epoch
    x, _ = mnist_small
    history = fit_gan(small_dcgan(), x, epochs=7, batch_size=128, output_dir=tmp_path, verbose=0)
    assert history.sample_grid.epochs == [2, 4, 6, 7]  # every 8 steps, and where training ended
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == [f"epoch_000{e}.png" for e in (2, 4, 6, 7)]


def test_the_gif_holds_at_most_max_frames_ending_on_the_newest_and_encodes_each_grid_once(tmp_path, monkeypatch):
    from PIL import Image, ImageSequence

    from gan_utils import plotting

    encoded = []
    encode = plotting.encode_gif_frame
    monkeypatch.setattr(plotting, "encode_gif_frame", lambda frame, label=None: encoded.append(label) or encode(frame, label))
    grid = gan_utils.SampleGrid()
    writer = gan_utils.GifWriter(grid, tmp_path / "progress.gif", max_frames=4)
    for epoch in range(1, 11):  # ten grids, solid grey 0, 10, ..., 90
        grid.frames.append(np.full((8, 8), 10 * (epoch - 1), np.uint8))
        grid.epochs.append(epoch)
        writer.on_epoch_end(epoch - 1)
    assert encoded == list(range(1, 11))  # one encoding per grid, never a re-encoding of old frames
    with Image.open(tmp_path / "progress.gif") as gif:
        greys = [int(np.asarray(f.convert("L"))[0, 0]) for f in ImageSequence.Iterator(gif)]
    assert len(greys) <= 4 and greys[0] == 0 and greys[-1] == 90 and greys == sorted(greys)


def test_sample_grid_keeps_one_frame_per_epoch_and_gif_is_written(mnist_small, tmp_path, grid_every_epoch):
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
    assert budget.stopped_early and history.steps_completed == 1
    assert history.history["d_loss"] == []  # the history holds complete epochs only


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


@pytest.mark.parametrize("model", ["dcgan", "wgan-gp", "hinge", "cgan"])
def test_build_gan_builds_the_recipe_for_the_image_shape_asked(model):
    gan = gan_utils.build_gan(gan_utils.get_recipe(model, smoke=False, width=4, latent_dim=8), image_shape=(64, 64, 3))
    assert gan.sample_shape == (64, 64, 3) and gan.sample().shape == (64, 64, 64, 3)


@pytest.mark.parametrize("side, norm", [(28, "BatchNormalization"), (32, None), (64, None), (128, None)])
def test_the_dcgan_recipe_normalizes_its_discriminator_with_batch_norm_at_28_pixels_only(side, norm):
    recipe = gan_utils.get_recipe("dcgan", smoke=False, width=4, latent_dim=8)
    _, discriminator = gan_utils.recipes.build_networks(recipe, (side, side, 3 if side > 28 else 1))
    kinds = {type(layer).__name__ for layer in discriminator.layers}
    assert kinds & {"BatchNormalization", "LayerNormalization", "GroupNormalization"} == ({norm} if norm else set())


@pytest.mark.parametrize("side, width", [(None, 32), (28, 32), (32, 32), (64, 16), (128, 16)])
def test_the_dcgan_recipe_for_an_image_size_has_the_width_measured_for_it(side, width):
    assert gan_utils.get_recipe("dcgan", smoke=False, image_size=side).width == width
    assert gan_utils.get_recipe("cgan", smoke=False, image_size=side).width == width, "measured for cgan at 64 too"


@pytest.mark.parametrize("side, lr", [(None, 2e-4), (28, 2e-4), (32, 1e-3), (64, 1e-3), (128, 1e-3)])
def test_the_cgan_recipe_keeps_mnists_learning_rate_and_takes_the_measured_one_above_it(side, lr):
    recipe = gan_utils.get_recipe("cgan", smoke=False, image_size=side)
    assert recipe.d_lr == recipe.g_lr == lr
    assert gan_utils.get_recipe("cgan", smoke=False, image_size=side, d_lr=5e-4).d_lr == 5e-4, "an override still wins"


def test_a_model_name_builds_the_recipe_for_the_image_size_and_overrides_win():
    gan = gan_utils.build_gan("dcgan", image_shape=(64, 64, 3))
    first = next(layer for layer in gan.discriminator.layers if isinstance(layer, keras.layers.Conv2D))
    assert first.filters == 16, "64 pixels: width 16 next to the image"
    assert gan_utils.get_recipe("dcgan", smoke=False, image_size=64, width=8).width == 8
    with pytest.raises(ValueError, match=r"image_size must be one of 28, 32, 64, 128 \(the sides the networks build\), got 48"):
        gan_utils.get_recipe("dcgan", image_size=48)


def test_a_conditional_recipe_draws_its_number_of_classes():
    gan = gan_utils.build_gan(gan_utils.get_recipe("cgan", smoke=False, width=4, latent_dim=8, num_classes=3), image_shape=(32, 32, 3))
    assert gan.num_classes == 3 and gan.fixed_labels[:4].tolist() == [0, 1, 2, 0]


def test_smoke_recipe_is_small():
    smoke, full = gan_utils.get_recipe("dcgan", smoke=True), gan_utils.get_recipe("dcgan", smoke=False)
    assert smoke.epochs < full.epochs and smoke.subset is not None


def test_unknown_recipe_is_refused():
    with pytest.raises(ValueError, match="choose one of"):
        gan_utils.get_recipe("stylegan")


def test_resume_with_other_settings_is_refused(mnist_small, tmp_path):
    x, _ = mnist_small
    fit_gan(small_dcgan(), x, epochs=1, batch_size=128, output_dir=tmp_path, verbose=0)
    with pytest.raises(ValueError, match=r"batch_size: recorded 128, now 64"):
        fit_gan(small_dcgan(), x, epochs=2, batch_size=64, output_dir=tmp_path, resume=True, verbose=0)
    with pytest.raises(ValueError, match="different training images"):
        fit_gan(small_dcgan(), x[:256], epochs=2, batch_size=128, output_dir=tmp_path, resume=True, verbose=0)


def test_resumed_run_keeps_the_earlier_frames_of_its_animation(mnist_small, tmp_path, grid_every_epoch):
    from PIL import Image

    x, _ = mnist_small
    fit_gan(small_dcgan(), x, epochs=1, batch_size=128, output_dir=tmp_path, verbose=0)
    history = fit_gan(small_dcgan(), x, epochs=3, batch_size=128, output_dir=tmp_path, resume=True, verbose=0)
    assert history.sample_grid.epochs == [1, 2, 3] and history.epochs_completed == 3
    with Image.open(tmp_path / "progress.gif") as gif:
        assert gif.n_frames == 3


def test_a_finished_run_is_reloaded_not_retrained(mnist_small, tmp_path, grid_every_epoch):
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


# A hand-written training step checked against GAN.train_step (notebook 02's exercise).
def small_mlp_gan(seed: int = 0, **compile_kwargs) -> GAN:
    """An MLP GAN with batch norm in G and dropout in D: both make the order of calls matter."""
    gan_utils.set_seed(seed)
    gan = GAN(models.build_mlp_generator(8, hidden_units=(32,)), models.build_mlp_discriminator(hidden_units=(32,)), seed=seed)
    gan.compile(**compile_kwargs)
    return gan


def hand_written_step(gan: GAN, generator_kind: str = "non_saturating"):
    import tensorflow as tf

    def step(real, z_d, z_g):
        with tf.GradientTape() as tape:
            fake = gan.generator(z_d, training=True)
            real_logits = gan.discriminator(real, training=True)
            fake_logits = gan.discriminator(fake, training=True)
            d_loss = discriminator_loss(real_logits, fake_logits)
        gan.d_optimizer.apply(tape.gradient(d_loss, gan.discriminator.trainable_weights), gan.discriminator.trainable_weights)
        with tf.GradientTape() as tape:
            g_loss = generator_loss(gan.discriminator(gan.generator(z_g, training=True), training=True), generator_kind)
        gan.g_optimizer.apply(tape.gradient(g_loss, gan.generator.trainable_weights), gan.generator.trainable_weights)
        return d_loss, g_loss

    return step


def test_train_step_with_noise_is_the_step_fit_runs_on_the_given_z(mnist_small):
    real = mnist_small[0][:16]
    drawn, given = small_mlp_gan(), small_mlp_gan()
    drawn.train_step(keras.ops.convert_to_tensor(real))  # draws z_d, then z_g, from its seed generator
    z = [keras.random.normal((16, given.latent_dim), seed=given.seed_generator) for _ in range(2)]  # the same two
    logs = given.train_step_with_noise(real, z)
    for a, b in zip(drawn.generator.weights + drawn.discriminator.weights, given.generator.weights + given.discriminator.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert set(logs) == {"d_loss", "g_loss", "d_real", "d_fake"} and all(isinstance(v, float) for v in logs.values())


def test_train_step_with_noise_needs_one_noise_batch_per_update(mnist_small):
    gan = small_mlp_gan(d_steps=2)  # 16 real images: two discriminator batches of 8
    with pytest.raises(ValueError, match=r"3 arrays of shape \(8, 8\)"):
        gan.train_step_with_noise(mnist_small[0][:16], [np.zeros((8, 8), "float32")] * 2)
    logs = gan.train_step_with_noise(mnist_small[0][:16], [np.zeros((8, 8), "float32")] * 3)
    assert int(gan.d_optimizer.iterations.numpy()) == 2 and np.isfinite(logs["g_loss"])
    with pytest.raises(ValueError, match="multiple of 2"):
        gan.train_step_with_noise(mnist_small[0][:15], [np.zeros((7, 8), "float32")] * 3)


def test_check_train_step_accepts_a_faithful_step_and_leaves_the_gan_as_it_was(mnist_small):
    gan = small_mlp_gan()
    before = [v.numpy().copy() for group in gan.state_variables().values() for v in group]
    check = gan_utils.check_train_step(gan, hand_written_step(gan), mnist_small[0][:16])
    assert check.matches and check.advice == "", str(check)
    assert check.d_loss[0] == pytest.approx(check.d_loss[1]) and check.largest_update > 0
    assert "verdict: your step matches" in str(check)
    after = [v.numpy() for group in gan.state_variables().values() for v in group]
    assert all(np.array_equal(a, b) for a, b in zip(before, after)), "the check must not change the GAN"


def test_check_train_step_catches_the_saturating_generator_loss(mnist_small):
    gan = small_mlp_gan()
    check = gan_utils.check_train_step(gan, hand_written_step(gan, "saturating"), mnist_small[0][:16])
    assert not check.matches
    assert check.d_loss[0] == pytest.approx(check.d_loss[1]), "the discriminator's half is right"
    assert "generator's does not" in check.advice and "does NOT match" in str(check)


def test_check_train_step_catches_right_losses_with_a_wrong_update(mnist_small):
    import tensorflow as tf

    gan = small_mlp_gan()
    faithful = hand_written_step(gan)

    def step_twice(real, z_d, z_g):  # right losses, then one generator update too many
        d_loss, g_loss = faithful(real, z_d, z_g)
        with tf.GradientTape() as tape:
            again = generator_loss(gan.discriminator(gan.generator(z_g, training=True), training=True))
        gan.g_optimizer.apply(tape.gradient(again, gan.generator.trainable_weights), gan.generator.trainable_weights)
        return d_loss, g_loss

    check = gan_utils.check_train_step(gan, step_twice, mnist_small[0][:16])
    assert not check.matches and "weights after the step do not" in check.advice
    assert check.where.startswith("generator's")


def test_check_train_step_refuses_a_gan_it_cannot_compare():
    with pytest.raises(ValueError, match="d_steps=2"):
        gan_utils.check_train_step(small_mlp_gan(d_steps=2), lambda real, z_d, z_g: (0.0, 0.0), np.zeros((4, 28, 28, 1), "float32"))

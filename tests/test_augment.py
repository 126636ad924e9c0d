"""gan_utils.augment: DiffAugment's transforms, and the GAN, recipes and command line that apply them."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from gan_utils import augment
from gan_utils.augment import diff_augment, random_brightness, random_contrast, random_cutout, random_saturation, random_translation


def images(shape=(16, 28, 28, 1), seed=0) -> np.ndarray:
    """Random images in [-1, 1]."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, shape).astype("float32")


def numpy(x) -> np.ndarray:
    return np.asarray(ops.convert_to_numpy(x))


# --------------------------------------------------------------------------------- every policy
@pytest.mark.parametrize("shape", [(8, 28, 28, 1), (8, 32, 32, 3), (4, 64, 64, 3), (4, 20, 36, 1)], ids=str)
@pytest.mark.parametrize("policy", ["color", "translation", "cutout", augment.DEFAULT_POLICY])
def test_every_policy_keeps_the_shape_and_dtype_and_changes_the_images(policy, shape):
    x = images(shape)
    y = numpy(diff_augment(x, policy, seed=0))
    assert y.shape == x.shape and y.dtype == x.dtype
    assert np.isfinite(y).all()
    changed = np.abs(y - x).reshape(len(x), -1).max(axis=1) > 1e-3
    # translation may draw no shift for an image (1 chance in 49 at 28 pixels); the others always act
    assert changed.mean() >= 0.75, f"{policy} left {np.sum(~changed)} of {len(x)} images as they were"


@pytest.mark.parametrize("policy", ["translation", "cutout", "translation,cutout"])
def test_translation_and_cutout_keep_values_in_minus_one_to_one(policy):
    x = images((32, 32, 32, 3))
    y = numpy(diff_augment(x, policy, seed=0))
    assert y.min() >= -1.0 and y.max() <= 1.0


def test_each_image_draws_its_own_augmentation():
    x = np.repeat(images((1, 28, 28, 1)), 16, axis=0)
    y = numpy(diff_augment(x, seed=0)).reshape(16, -1)
    assert len({row.tobytes() for row in y}) == 16


# ------------------------------------------------------------------------------------- color
def test_brightness_adds_one_shift_per_image_within_half():
    x = images((64, 8, 8, 3))
    shift = numpy(random_brightness(x, seed=0)) - x
    per_image = shift.reshape(64, -1)
    np.testing.assert_allclose(per_image, per_image[:, :1].repeat(per_image.shape[1], axis=1), atol=1e-6)
    assert np.abs(per_image).max() <= 0.5 and np.ptp(per_image[:, 0]) > 0.5, "spread over U(-0.5, 0.5)"


def test_saturation_keeps_each_pixels_channel_mean_and_leaves_grey_images_alone():
    x = images((64, 8, 8, 3))
    y = numpy(random_saturation(x, seed=0))
    np.testing.assert_allclose(y.mean(axis=3), x.mean(axis=3), atol=1e-5)
    centred_x, centred_y = x - x.mean(axis=3, keepdims=True), y - y.mean(axis=3, keepdims=True)
    factor = (centred_y * centred_x).sum(axis=(1, 2, 3)) / (centred_x**2).sum(axis=(1, 2, 3))
    assert factor.min() >= 0.0 and factor.max() <= 2.0 and np.ptp(factor) > 1.0
    grey = images((4, 8, 8, 1))
    np.testing.assert_array_equal(numpy(random_saturation(grey, seed=0)), grey)


def test_contrast_keeps_each_images_mean_and_scales_around_it_by_half_to_one_and_a_half():
    x = images((64, 8, 8, 1))
    y = numpy(random_contrast(x, seed=0))
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    np.testing.assert_allclose(y.mean(axis=(1, 2, 3)), mean.ravel(), atol=1e-5)
    factor = ((y - mean) / (x - mean)).reshape(64, -1)
    np.testing.assert_allclose(factor, factor[:, :1].repeat(factor.shape[1], axis=1), rtol=1e-3, atol=1e-3)
    assert factor.min() >= 0.5 - 1e-4 and factor.max() <= 1.5 + 1e-4


# --------------------------------------------------------------------------------- translation
def shifted(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """``x`` (one image) moved down by ``dy`` and right by ``dx`` pixels, zeros coming in."""
    out = np.zeros_like(x)
    h, w = x.shape[:2]
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = x[max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


@pytest.mark.parametrize("side", [28, 32])
def test_translation_moves_each_image_by_at_most_an_eighth_of_its_side(side):
    limit = augment.max_shift(side)
    assert limit == side // 8
    x = images((64, side, side, 1))
    y = numpy(random_translation(x, seed=0))
    moves = []
    for before, after in zip(x, y):
        found = [(dy, dx) for dy in range(-limit, limit + 1) for dx in range(-limit, limit + 1)
                 if np.array_equal(shifted(before, dy, dx), after)]
        assert len(found) == 1, "each image is a whole-pixel shift of its original, within the limit"
        moves.append(found[0])
    assert {dy for dy, _ in moves} == set(range(-limit, limit + 1)), "every shift is drawn"
    assert len(set(moves)) > 10


# -------------------------------------------------------------------------------------- cutout
def test_cutout_zeroes_a_square_of_half_the_side_clipped_at_the_borders():
    side, cut = 32, augment.cutout_side(32)
    assert cut == 16
    y = numpy(random_cutout(np.ones((64, side, side, 3), "float32"), seed=0))
    full = 0
    for image in y:
        zero = image[..., 0] == 0
        assert (zero == (image == 0).all(axis=-1)).all(), "all channels are cut together"
        rows, cols = np.flatnonzero(zero.any(axis=1)), np.flatnonzero(zero.any(axis=0))
        assert zero.sum() == len(rows) * len(cols) and zero[np.ix_(rows, cols)].all(), "a rectangle"
        assert np.array_equal(rows, np.arange(rows[0], rows[-1] + 1)) and np.array_equal(cols, np.arange(cols[0], cols[-1] + 1))
        for kept in (rows, cols):
            at_border = kept[0] == 0 or kept[-1] == side - 1
            assert len(kept) == cut or (at_border and len(kept) < cut), "the whole square unless a border clips it"
        full += len(rows) == len(cols) == cut
    assert full > 10


# ----------------------------------------------------------------------------------- seeding
def test_the_same_integer_seed_gives_the_same_augmentation_and_another_seed_another():
    x = images()
    np.testing.assert_array_equal(numpy(diff_augment(x, seed=3)), numpy(diff_augment(x, seed=3)))
    assert not np.array_equal(numpy(diff_augment(x, seed=3)), numpy(diff_augment(x, seed=4)))


def test_a_seed_generator_draws_anew_at_each_call_and_repeats_from_the_same_start():
    import keras

    x = images()
    first, again = keras.random.SeedGenerator(7), keras.random.SeedGenerator(7)
    a, b = numpy(diff_augment(x, seed=first)), numpy(diff_augment(x, seed=first))
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, numpy(diff_augment(x, seed=again)))
    np.testing.assert_array_equal(b, numpy(diff_augment(x, seed=again)))


# --------------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("policy", ["color", "translation", "cutout", augment.DEFAULT_POLICY])
def test_gradients_flow_back_to_the_images_through_every_policy(policy):
    x = tf.Variable(images((8, 28, 28, 1)))
    weights = tf.constant(images((8, 28, 28, 1), seed=1))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(diff_augment(x, policy, seed=0) * weights)
    grad = tape.gradient(loss, x).numpy()
    assert np.isfinite(grad).all()
    assert (np.abs(grad).reshape(8, -1).max(axis=1) > 0).all(), "every image gets a gradient"


@pytest.mark.parametrize("jit_compile", [False, True], ids=["graph", "xla"])
def test_it_runs_inside_a_compiled_function_drawing_anew_at_each_call(jit_compile):
    import keras

    seed = keras.random.SeedGenerator(0)
    x = tf.constant(images((8, 32, 32, 3)))

    @tf.function(jit_compile=jit_compile)
    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = diff_augment(x, seed=seed)
            loss = tf.reduce_sum(y**2)
        return y, tape.gradient(loss, x)

    (a, grad), (b, _) = step(x), step(x)
    assert a.shape == x.shape and not np.array_equal(a.numpy(), b.numpy())
    assert np.isfinite(grad.numpy()).all() and np.abs(grad.numpy()).max() > 0


# ---------------------------------------------------------------------------------- refusals
def test_an_unknown_transform_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown DiffAugment transform 'flip' .*color, translation, cutout"):
        diff_augment(images(), "color,flip", seed=0)


@pytest.mark.parametrize("policy", ["", "color,,cutout"])
def test_an_empty_name_is_refused(policy):
    with pytest.raises(ValueError, match="unknown DiffAugment transform ''"):
        augment.parse_policy(policy)


def test_a_transform_named_twice_is_refused():
    with pytest.raises(ValueError, match="names color more than once"):
        augment.parse_policy("color,translation,color")


def test_samples_that_are_not_images_are_refused():
    with pytest.raises(ValueError, match=r"\(batch, height, width, channels\).*got shape \(4, 2\)"):
        diff_augment(np.zeros((4, 2), "float32"), seed=0)


def test_the_augment_setting_is_written_one_way():
    assert augment.augment_setting(True) == augment.DEFAULT_POLICY
    assert augment.augment_setting(False) is None and augment.augment_setting(None) is None
    assert augment.augment_setting("Cutout, color") == "cutout,color"


# ------------------------------------------------------------------------------------- the GAN
import keras  # noqa: E402

import gan_utils  # noqa: E402
from gan_utils import losses, models  # noqa: E402
from gan_utils.training import GAN, fit_gan  # noqa: E402


def tiny_gan(seed: int = 0, normalization: str | None = "batch", **compile_kwargs) -> GAN:
    gan_utils.set_seed(seed)
    gan = GAN(models.build_dcgan_generator(8, width=4), models.build_dcgan_discriminator(width=4, normalization=normalization), seed=seed)
    gan.compile(**compile_kwargs)
    return gan


def weights(gan: GAN) -> list[np.ndarray]:
    return [v.numpy() for group in gan.state_variables().values() for v in group]


class SeenBy:
    """An augmentation that makes every image alike (all zeros) and counts the images it is shown."""

    def __init__(self):
        self.calls = 0

    def __call__(self, images):
        self.calls += 1
        return images * 0.0  # (zeros_like would cut the generator off from its gradient entirely)


@pytest.mark.parametrize("d_steps", [1, 2])
def test_the_discriminator_sees_every_image_through_augment(mnist_small, d_steps):
    gan = tiny_gan(d_steps=d_steps, augment=True)
    gan.augment = seen = SeenBy()
    z = [np.random.default_rng(i).standard_normal((16, 8)).astype("float32") for i in range(d_steps + 1)]
    logs = gan.train_step_with_noise(mnist_small[0][:16 * d_steps], z)  # a real batch of 16 per discriminator step
    assert seen.calls == 2 * d_steps + 1, "real and fake in each discriminator step, fake in the generator's"
    assert logs["d_real"] == pytest.approx(logs["d_fake"], abs=1e-6), "all it saw were the same zeros"


def test_the_r1_penalty_is_taken_at_the_augmented_real_images(mnist_small):
    gan = tiny_gan(normalization=None, objective=losses.get_objective("non-saturating", penalty="r1", penalty_weight=5.0), augment=True)
    gan.augment = SeenBy()
    zeros = np.zeros((16, 28, 28, 1), "float32")
    expected = float(losses.r1_penalty(gan.discriminator, zeros))
    assert expected != pytest.approx(float(losses.r1_penalty(gan.discriminator, mnist_small[0][:16])), rel=1e-3)
    logs = gan.discriminator_step(ops.convert_to_tensor(mnist_small[0][:16]))
    assert float(logs["penalty"]) == pytest.approx(expected, rel=1e-5)


def test_the_generator_learns_through_the_augmentation():
    gan = tiny_gan(augment=True)
    z = keras.random.normal((16, 8), seed=0)
    with tf.GradientTape() as tape:
        loss = gan.objective.generator_loss(gan.discriminator(gan.augment(gan.generator(z, training=True)), training=True))
    grads = tape.gradient(loss, gan.generator.trainable_weights)
    assert all(g is not None and float(tf.reduce_max(tf.abs(g))) > 0 for g in grads)


@pytest.mark.parametrize("model", ["dcgan", "wgan-gp", "cgan"])
def test_a_short_run_of_a_smoke_recipe_with_augmentation_has_finite_losses(mnist_small, model):
    x, y = mnist_small
    recipe = gan_utils.get_recipe(model, smoke=True, width=4, latent_dim=8, augment=True)
    gan_utils.set_seed(0)
    gan = gan_utils.build_gan(recipe)
    assert gan.augment_policy == augment.DEFAULT_POLICY
    history = fit_gan(gan, x[:64], y[:64], epochs=1, batch_size=32, verbose=0)
    assert all(np.isfinite(v) for values in history.history.values() for v in values)


def test_without_augment_the_step_is_the_plain_one(mnist_small):
    batches = [ops.convert_to_tensor(mnist_small[0][i:i + 16]) for i in (0, 16, 32)]
    runs = {}
    for name, kwargs in {"default": {}, "None": {"augment": None}, "False": {"augment": False}, "on": {"augment": True}}.items():
        gan = tiny_gan(**kwargs)
        for batch in batches:
            gan.train_step(batch)
        runs[name] = weights(gan)
    for name in ("None", "False"):
        assert all(np.array_equal(a, b) for a, b in zip(runs["default"], runs[name])), name
    assert not all(np.array_equal(a, b) for a, b in zip(runs["default"], runs["on"]))


def test_without_augment_the_step_matches_the_textbook_step(mnist_small):
    import tensorflow as tf

    gan = tiny_gan(augment=None)

    def textbook(real, z_d, z_g):
        with tf.GradientTape() as tape:
            fake = gan.generator(z_d, training=True)
            d_loss = losses.discriminator_loss(gan.discriminator(real, training=True), gan.discriminator(fake, training=True))
        gan.d_optimizer.apply(tape.gradient(d_loss, gan.discriminator.trainable_weights), gan.discriminator.trainable_weights)
        with tf.GradientTape() as tape:
            g_loss = losses.generator_loss(gan.discriminator(gan.generator(z_g, training=True), training=True))
        gan.g_optimizer.apply(tape.gradient(g_loss, gan.generator.trainable_weights), gan.generator.trainable_weights)
        return d_loss, g_loss

    check = gan_utils.check_train_step(gan, textbook, mnist_small[0][:16])
    assert check.matches and check.largest_difference == 0, str(check)


def test_check_train_step_refuses_a_gan_with_augmentation():
    with pytest.raises(ValueError, match="no augmentation .*augment='color,translation,cutout'"):
        gan_utils.check_train_step(tiny_gan(augment=True), lambda real, z_d, z_g: (0.0, 0.0), np.zeros((4, 28, 28, 1), "float32"))


def test_a_resumed_run_augments_as_an_uninterrupted_one(mnist_small, tmp_path):
    x = mnist_small[0][:64]
    straight = tiny_gan(augment=True)
    fit_gan(straight, x, epochs=2, batch_size=32, verbose=0)
    fit_gan(tiny_gan(augment=True), x, epochs=1, batch_size=32, output_dir=tmp_path, verbose=0)
    resumed = tiny_gan(augment=True)
    fit_gan(resumed, x, epochs=2, batch_size=32, output_dir=tmp_path, resume=True, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(weights(straight), weights(resumed)))


def test_resuming_with_other_augmentation_is_refused(mnist_small, tmp_path):
    x = mnist_small[0][:64]
    fit_gan(tiny_gan(augment=True), x, epochs=1, batch_size=32, output_dir=tmp_path, verbose=0)
    with pytest.raises(ValueError, match=r"augment: recorded 'color,translation,cutout', now None"):
        fit_gan(tiny_gan(), x, epochs=2, batch_size=32, output_dir=tmp_path, resume=True, verbose=0)
    with pytest.raises(ValueError, match=r"augment: recorded 'color,translation,cutout', now 'translation'"):
        fit_gan(tiny_gan(augment="translation"), x, epochs=2, batch_size=32, output_dir=tmp_path, resume=True, verbose=0)


def test_a_checkpoint_from_before_augmentation_counts_as_trained_without_it(mnist_small, tmp_path):
    from gan_utils.checkpoints import save_checkpoint

    save_checkpoint(tiny_gan(), tmp_path, 1, run={"seed": 0})  # no "augment": written before it existed
    with pytest.raises(ValueError, match=r"augment=None \(now 'color,translation,cutout'\)"):
        fit_gan(tiny_gan(augment=True), mnist_small[0][:64], epochs=2, batch_size=32, output_dir=tmp_path, resume=True, verbose=0)


def test_augment_is_refused_for_samples_that_are_not_images():
    gan = GAN(models.build_mlp_generator(8, (2,), (16,), None), models.build_mlp_discriminator((2,), (16,)))
    with pytest.raises(ValueError, match=r"DiffAugment transforms images .* samples of shape \(2,\)"):
        gan.compile(augment=True)


def test_an_unknown_policy_is_refused_by_compile():
    with pytest.raises(ValueError, match="unknown DiffAugment transform 'colour'"):
        tiny_gan(augment="colour")


# ----------------------------------------------------------------------------- the command line
import json  # noqa: E402

from gan_utils import train  # noqa: E402


def cli(*args) -> int:
    return train.main([str(a) for a in args])


def recorded_run(tmp_path, **options) -> Path:
    """A run folder holding only its record (as right after a run began), with these command-line options."""
    from gan_utils import runs

    out = tmp_path / "run"
    out.mkdir()
    spec = runs.RunSpec(0, 64, 128, "0" * 64, (28, 28, 1), options.get("augment"), 2, 4, model="dcgan",
                        data={"kind": "images" if "images" in options else "mnist"})
    runs.write_record(out, runs.new_record(spec, options={"model": "dcgan", "seed": 0, "smoke": True, **options}))
    return out


def cli_refused(capsys, *args) -> str:
    with pytest.raises(SystemExit) as exit:
        cli(*args)
    assert exit.value.code == 2
    return capsys.readouterr().err


def test_the_augment_flag_is_remembered_by_the_run_folder_and_kept_on_resume(tmp_path):
    out = tmp_path / "run"
    common = ("--subset", "128", "--batch-size", "64", "--smoke", "--quiet")
    assert cli("dcgan", "--output", out, "--augment", "--epochs", "1", *common) == 0
    assert json.loads((out / "run.json").read_text())["spec"]["augment"] == augment.DEFAULT_POLICY
    assert cli("dcgan", "--output", out, "--resume", "--epochs", "2", *common) == 0  # no --augment: the folder's
    record = json.loads((out / "run.json").read_text())
    assert record["spec"]["recipe"]["augment"] == augment.DEFAULT_POLICY and record["sessions"][-1]["to_step"] == 4


def test_a_run_folder_of_your_images_gives_back_its_policy_on_resume(tmp_path):
    out = recorded_run(tmp_path, augment="translation", images=str(tmp_path / "photos"), image_size=32, channels=3, fit="crop")
    args = train.parse_args(["dcgan", "--output", str(out), "--resume"])
    assert args.augment == "translation" and args.image_size == 32


def test_a_policy_is_written_one_way(tmp_path):
    args = train.parse_args(["dcgan", "--output", str(tmp_path / "run"), "--augment", "Translation, cutout"])
    assert args.augment == "translation,cutout"
    assert train.parse_args(["dcgan", "--output", str(tmp_path / "run")]).augment is None


def test_resuming_with_another_policy_is_refused(capsys, tmp_path):
    out = recorded_run(tmp_path, augment="translation")
    err = cli_refused(capsys, "dcgan", "--output", out, "--resume", "--augment")
    assert f"--augment color,translation,cutout contradicts the run in {out} (recorded: translation)" in err


def test_resuming_a_run_without_augmentation_with_it_is_refused(capsys, tmp_path):
    out = recorded_run(tmp_path)
    assert "(recorded: none)" in cli_refused(capsys, "dcgan", "--output", out, "--resume", "--augment")


def test_an_unknown_policy_is_refused_by_the_command_line(capsys, tmp_path):
    err = cli_refused(capsys, "dcgan", "--output", tmp_path / "run", "--augment", "flip")
    assert "--augment: unknown DiffAugment transform 'flip'" in err and "color, translation, cutout" in err

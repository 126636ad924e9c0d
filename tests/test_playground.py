"""The toy-GAN playground (gan_utils.playground, reached as gan_utils.toy.Playground), driven from code."""

from __future__ import annotations

import time

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.image import AxesImage
from matplotlib.quiver import Quiver

from gan_utils import losses, toy
from gan_utils.playground import DATASETS, Playground

SMALL = dict(hidden=(16,), batch_size=32, samples=128, record_every=10)


@pytest.fixture(scope="module")
def ring():
    return Playground("ring", seed=0, **SMALL)


def test_playground_is_reached_from_toy():
    assert toy.Playground is Playground


def test_200_steps_change_the_samples_and_add_200_history_entries():
    play = Playground(data="ring")
    before = play.samples.copy()
    play.step(200)
    assert not np.allclose(play.samples, before)
    assert play.steps == 200
    assert {len(values) for values in play.history.values()} == {200}
    assert play.history["step"] == list(range(1, 201))


def test_history_records_losses_verdicts_jsd_and_modes_per_step(ring):
    ring.reset()
    ring.step(15)
    h = ring.history
    assert set(h) == {"step", "d_loss", "g_loss", "d_real", "d_fake", "jsd", "modes"}
    assert all(0 < v < 1 for v in h["d_real"] + h["d_fake"])
    assert all(0 <= v <= np.log(2) + 1e-9 for v in h["jsd"])
    assert set(h["modes"]) <= set(map(float, range(9)))
    assert 0 <= ring.jsd_floor < 0.3, "a sample of the data itself is close to the data"


def test_a_discriminator_step_moves_the_heat_map_but_not_the_fakes(ring):
    ring.reset()
    before = ring.state
    ring.step(1, train="discriminator")
    after = ring.state
    np.testing.assert_array_equal(after["samples"], before["samples"])
    assert not np.allclose(after["heat"], before["heat"])
    assert not np.allclose(after["push"], before["push"]), "a new discriminator pushes the fakes differently"


def test_a_generator_step_moves_the_fakes_but_not_the_heat_map(ring):
    ring.reset()
    before = ring.state
    ring.step(1, train="generator")
    after = ring.state
    np.testing.assert_array_equal(after["heat"], before["heat"])
    assert not np.allclose(after["samples"], before["samples"])
    assert not np.allclose(after["lines"], before["lines"]), "the latent grid moves with the generator"


def test_the_relativistic_loss_plays_and_draws_the_push_on_each_fake():
    play = Playground("ring", objective="relativistic", seed=0, **SMALL)
    play.step(3)
    state = play.state
    assert play.steps == 3 and np.isfinite(play.history["g_loss"]).all()
    assert np.isfinite(state["push"]).all() and np.abs(state["push"]).max() > 0


def test_both_moves_both_and_d_steps_counts_discriminator_updates():
    play = Playground("ring", d_steps=3, seed=1, **SMALL)
    play.step(2)
    assert int(play.gan.d_optimizer.iterations) == 6 and int(play.gan.g_optimizer.iterations) == 2
    play.step(1, train="discriminator")
    assert int(play.gan.d_optimizer.iterations) == 7, "a discriminator step alone is one update"


def test_reset_returns_to_the_seeds_initial_state(ring):
    ring.reset()
    first = ring.samples.copy()
    ring.step(5)
    ring.reset()
    np.testing.assert_array_equal(ring.samples, first)
    assert ring.steps == 0 and ring.history["d_loss"] == []


def test_the_same_seed_plays_the_same_game():
    a, b = Playground("regions", seed=3, **SMALL), Playground("regions", seed=3, **SMALL)
    a.step(12)
    b.step(12)
    np.testing.assert_array_equal(a.samples, b.samples)
    assert a.history == b.history


@pytest.mark.parametrize("data", DATASETS)
def test_every_data_set_runs(data):
    play = Playground(data, **SMALL)
    play.step(3)
    assert play.samples.shape == (128, 1 if data == "bumps" else 2)
    assert np.isfinite(play.history["d_loss"]).all() and np.isfinite(play.history["jsd"]).all()
    assert play.render().ndim == 3


@pytest.mark.parametrize("objective", list(losses.OBJECTIVES))
def test_every_objective_runs_and_logs_its_own_verdicts(objective):
    play = Playground("ring", objective, **SMALL)
    play.step(3)
    names = set(losses.get_objective(objective).logs(np.zeros(1), np.zeros(1)))
    assert names <= set(play.history)
    assert all(np.isfinite(play.history[name]).all() for name in ("d_loss", "g_loss", *names))
    heat = play.state["heat"]
    if objective in ("non-saturating", "minimax"):
        assert heat.min() >= 0 and heat.max() <= 1, "a probability"


@pytest.mark.parametrize("shape", [(300, 1), (300, 2)])
def test_your_own_points_train_without_modes(shape):
    points = np.random.default_rng(0).normal(size=shape).astype("float32") * 3 + 5
    play = Playground(points, **SMALL)
    play.step(4)
    assert play.samples.shape == (128, shape[1])
    assert np.isnan(play.history["modes"]).all() and np.isfinite(play.history["jsd"]).all()
    assert "your points" in play.caption()


def test_changing_a_learning_rate_keeps_the_game(ring):
    ring.reset()
    ring.step(3)
    ring.d_lr = 1e-4
    assert ring.steps == 3 and np.isclose(float(ring.gan.d_optimizer.learning_rate), 1e-4)
    ring.d_lr = 1e-3


def test_configure_restarts_and_says_what_changed():
    play = Playground("ring", **SMALL)
    play.step(2)
    message = play.configure(objective="hinge", d_steps=2)
    assert message == "restarted: objective 'hinge', d_steps 2"
    assert play.steps == 0 and play.objective.name == "hinge" and play.gan.d_steps == 2


@pytest.mark.parametrize(
    "setting, value, message",
    [
        ("data", "moons", "data must be one of 'bumps', 'ring', 'line', 'regions'"),
        ("data", np.zeros((10, 3)), "shape (n, 1) or (n, 2)"),
        ("data", np.full((10, 2), np.nan), "NaN"),
        ("objective", "least-squares", "objective must be one of"),
        ("d_optimizer", "rmsprop", "d_optimizer must be one of 'adam', 'sgd'"),
        ("g_lr", 0.0, "g_lr must be a learning rate"),
        ("d_lr", "fast", "d_lr must be a learning rate"),
        ("d_steps", 0, "d_steps must be an integer from 1"),
        ("hidden", (), "hidden must list hidden layer widths"),
        ("latent_dim", 0, "latent_dim must be an integer"),
        ("batch_size", 1, "batch_size must be an integer"),
        ("seed", -1, "seed must be an integer"),
        ("generator_batch_norm", "yes", "generator_batch_norm must be True or False"),
        ("colour", "red", "unknown setting"),
    ],
)
def test_bad_settings_are_refused_and_the_game_goes_on(ring, setting, value, message):
    ring.reset()
    ring.step(2)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ring.configure(**{setting: value})
    assert ring.steps == 2 and ring.settings["data"] == "ring"


@pytest.mark.parametrize("kwargs, message", [({"n": 0}, "n must be a positive number"), ({"train": "players"}, "train must be one of")])
def test_bad_steps_are_refused(ring, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ring.step(**kwargs)


def test_bad_learning_rate_assignment_is_refused(ring):
    with pytest.raises(ValueError, match="g_lr must be a learning rate"):
        ring.g_lr = -1


def test_figure_draws_the_heat_map_the_arrows_and_the_points(ring):
    ring.reset()
    ring.step(5)
    game = ring.figure().axes[0]
    assert [type(a) for a in game.images] == [AxesImage]
    quivers = [c for c in game.collections if isinstance(c, Quiver)]
    assert len(quivers) == 1 and len(quivers[0].U) == 128 // 4
    scatters = [c for c in game.collections if isinstance(c, PathCollection)]
    assert sorted(len(c.get_offsets()) for c in scatters) == [128, 400]


def test_figure_of_the_line_draws_densities_verdict_and_arrows():
    play = Playground("bumps", **SMALL)
    play.step(3)
    fig = play.figure()
    game, verdict = fig.axes[0], next(ax for ax in fig.axes if ax.get_ylabel() == "D(x)")
    assert game.patches, "the data density and the histogram of fakes"
    assert any(isinstance(c, Quiver) for c in verdict.collections) and verdict.lines, "D(x) and the arrows"


def test_pictures_change_with_the_game_and_the_film_strip_grows(ring):
    ring.reset()
    first = ring.render()
    ring.step(10)
    assert not np.array_equal(ring.render(), first)
    assert len(ring.snapshots) == 2  # step 0 and step 10 (record_every=10)
    strip = ring.film_strip()
    assert strip.shape[1] > 2 * strip.shape[0] * 0.9 and strip.std() > 10, "two framed, non-blank tiles"


def test_widget_buttons_step_one_player_and_play_pause_from_code():
    play = Playground("ring", **SMALL)
    root = play.widget
    buttons = {b.description: b for b in root.children[0].children}
    view = root.children[1].children[0]
    first = view.value
    buttons["Step G"].click()
    assert play.steps == 1 and play.history["step"] == [1] and view.value != first
    toggle = buttons["Play"]
    toggle.value = True
    deadline = time.monotonic() + 60
    while play.frames_drawn < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    toggle.value = False
    assert not play.playing and play.frames_drawn >= 3 and play.steps >= 21
    paused, steps = view.value, play.steps
    time.sleep(0.3)
    assert view.value == paused and play.steps == steps, "nothing moves while paused"


def test_widget_changing_the_data_restarts_and_says_so():
    play = Playground("ring", **SMALL)
    play.step(3)
    root = play.widget
    data = next(w for w in root.children[1].children[1].children[1].children if getattr(w, "description", "") == "data")
    data.value = "bumps"
    assert play.steps == 0 and play.dim == 1
    assert "restarted: data 'bumps'" in root.children[3].value


def test_widget_without_a_front_end_shows_a_film_strip(ring):
    ring.reset()
    ring.step(10)
    bundle = ring.widget._repr_mimebundle_()
    assert {"image/png", "text/plain"} <= set(bundle) and "film strip" in bundle["text/plain"]

"""gan_utils.widgets: the latent-space explorer, driven from code as a reader drives it by hand.

Generators here are untrained (seeded) and small: enough to see that the image follows the sliders,
that z round-trips, that interpolation and slerp behave, and that an update is fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import ipywidgets
import numpy as np
import pytest

import gan_utils
from gan_utils.widgets import IPYWIDGETS_MAJOR, WIDGET_VIEW_MIMETYPE, LatentExplorer, interpolate, latent_directions, slerp

REPO = Path(__file__).resolve().parent.parent
#: The oldest ipywidgets this project supports: the one Colab ships (see widgets.SUPPORTED_IPYWIDGETS).
OLDEST_IPYWIDGETS = "7.7.1"


@pytest.fixture(scope="module")
def generator():
    gan_utils.set_seed(0)
    return gan_utils.build_dcgan_generator(latent_dim=16, width=8)


@pytest.fixture(scope="module")
def conditional_generator():
    gan_utils.set_seed(0)
    return gan_utils.build_conditional_generator(latent_dim=16, width=8)


@pytest.fixture()
def explorer(generator):
    return LatentExplorer(generator, seed=0, n_directions=3, n_coordinates=4, samples=256, jit_compile=False)


def changed(a: np.ndarray, b: np.ndarray) -> bool:
    return float(np.abs(a - b).max()) > 1e-5


# ------------------------------------------------------------------------------- the names
def test_explorer_exposes_widget_z_image_and_sliders(explorer):
    assert isinstance(explorer.widget, ipywidgets.Widget)
    assert explorer.z.shape == (16,) and explorer.z.dtype == np.float32
    assert explorer.image.shape == (28, 28, 1)
    assert {"pc1", "pc2", "pc3", "z0", "z3", "t"} <= set(explorer.sliders)
    assert all(isinstance(s, ipywidgets.FloatSlider) for s in explorer.sliders.values())


def test_first_z_is_the_seeds_latent_batch(generator, explorer):
    np.testing.assert_array_equal(explorer.z, gan_utils.latent_batch(generator, 1, seed=0)[0])


# ------------------------------------------------------------------------------- sliders
def test_moving_a_direction_slider_changes_the_image(explorer):
    before = explorer.image
    explorer.sliders["pc1"].value = 2.5
    assert changed(explorer.image, before)


def test_direction_slider_moves_z_along_its_direction(explorer):
    z0 = explorer.z
    explorer.sliders["pc2"].value = -1.5
    np.testing.assert_allclose(explorer.z, z0 - 1.5 * explorer.directions.vectors[1], atol=1e-5)


def test_moving_a_coordinate_slider_sets_that_coordinate(explorer):
    before = explorer.image
    explorer.sliders["z2"].value = 3.0
    assert explorer.z[2] == pytest.approx(3.0)
    assert changed(explorer.image, before)


def test_coordinate_sliders_follow_direction_moves(explorer):
    explorer.sliders["pc1"].value = 2.0
    assert explorer.sliders["z0"].value == pytest.approx(float(explorer.z[0]), abs=0.05)


def test_direction_sliders_return_to_the_start_vector(explorer):
    z0 = explorer.z
    explorer.sliders["pc1"].value = 2.0
    explorer.sliders["pc1"].value = 0.0
    np.testing.assert_allclose(explorer.z, z0, atol=1e-5)


def test_image_is_the_generator_output_for_z(generator, explorer):
    explorer.sliders["pc3"].value = 1.0
    expected = np.asarray(generator(explorer.z[None], training=False))[0]
    np.testing.assert_allclose(explorer.image, expected, atol=1e-4)


# ------------------------------------------------------------------------------- z
def test_assigning_z_round_trips(explorer):
    z = np.random.default_rng(5).standard_normal(16).astype("float32")
    explorer.z = z
    np.testing.assert_array_equal(explorer.z, z)


def test_assigning_z_updates_the_image_and_resets_direction_sliders(explorer):
    explorer.sliders["pc1"].value = 2.0
    before = explorer.image
    explorer.z = np.ones(16, "float32")
    assert changed(explorer.image, before)
    assert explorer.sliders["pc1"].value == 0.0


def test_z_is_a_copy(explorer):
    z = explorer.z
    z[:] = 0
    assert np.any(explorer.z != 0)


@pytest.mark.parametrize("bad", [np.zeros(15), np.zeros((2, 16)), np.full(16, np.nan)])
def test_wrong_z_is_refused_clearly(explorer, bad):
    with pytest.raises(ValueError, match="z"):
        explorer.z = bad


def test_seed_field_draws_z_like_latent_batch(generator, explorer):
    explorer.seed = 7
    np.testing.assert_array_equal(explorer.z, gan_utils.latent_batch(generator, 1, seed=7)[0])


def test_new_random_z_moves_to_the_next_seed(explorer):
    before = explorer.image
    explorer.new_z()
    assert explorer.seed == 1 and changed(explorer.image, before)


# ------------------------------------------------------------------------------- interpolation
def test_interpolation_endpoints_equal_the_two_vectors():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 16)).astype("float32")
    for method in ("linear", "slerp"):
        np.testing.assert_array_equal(interpolate(a, b, 0.0, method), a)
        np.testing.assert_array_equal(interpolate(a, b, 1.0, method), b)


def test_t_slider_endpoints_show_start_and_end(explorer):
    for method in ("linear", "slerp"):
        explorer.method = method
        explorer.sliders["t"].value = 1.0
        np.testing.assert_array_equal(explorer.z, explorer.end)
        explorer.sliders["t"].value = 0.0
        np.testing.assert_array_equal(explorer.z, explorer.start)


def test_slerp_keeps_the_norm():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 64))
    b *= np.linalg.norm(a) / np.linalg.norm(b)
    norms = np.linalg.norm(slerp(a, b, np.linspace(0, 1, 11)), axis=1)
    np.testing.assert_allclose(norms, np.linalg.norm(a), rtol=1e-5)


def test_linear_path_cuts_inside_the_sphere():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 64))
    b *= np.linalg.norm(a) / np.linalg.norm(b)
    assert np.linalg.norm(interpolate(a, b, 0.5)) < 0.85 * np.linalg.norm(a)


def test_slerp_interpolates_the_norm_between_unequal_vectors():
    out = slerp([2.0, 0.0], [0.0, 4.0], 0.5)
    assert np.linalg.norm(out) == pytest.approx(3.0)


def test_interpolation_refuses_bad_input():
    with pytest.raises(ValueError, match="method"):
        interpolate([1.0], [2.0], 0.5, "cubic")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        interpolate([1.0], [2.0], 1.5)
    with pytest.raises(ValueError, match="same length"):
        interpolate([1.0, 0.0], [2.0], 0.5)
    with pytest.raises(ValueError, match="opposite"):
        slerp([1.0, 0.0], [-1.0, 0.0], 0.5)


def test_strip_runs_from_start_to_end(generator, explorer):
    strip = explorer.interpolation_strip(5)
    assert strip.shape == (5, 28, 28, 1)
    ends = np.asarray(generator(np.stack([explorer.start, explorer.end]), training=False))
    np.testing.assert_allclose(strip[[0, -1]], ends, atol=1e-4)


def test_setting_endpoints_changes_the_strip(explorer):
    before = explorer.interpolation_strip()
    explorer.set_endpoints(end=np.zeros(16))
    assert changed(explorer.interpolation_strip(), before)


# ------------------------------------------------------------------------------- directions
def test_directions_are_unit_vectors_repeatably(generator):
    a = latent_directions(generator, n_directions=4, samples=256, seed=3)
    b = latent_directions(generator, n_directions=4, samples=256, seed=3)
    assert a.vectors.shape == (4, 16)
    np.testing.assert_allclose(np.linalg.norm(a.vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert np.all(np.diff(a.explained_variance_ratio) <= 1e-7)  # most important first


def test_directions_of_a_linear_layer_are_its_top_singular_vectors():
    import keras

    w = np.diag([5.0, 3.0, 1.0, 0.5]).astype("float32")
    g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, use_bias=False, name="dense")])
    g.set_weights([w])
    d = latent_directions(g, n_directions=2, samples=4000, layer="dense")
    np.testing.assert_allclose(np.abs(d.vectors), np.eye(4)[:2], atol=0.05)


def test_directions_do_not_depend_on_the_starting_seed(generator):
    a = LatentExplorer(generator, seed=0, n_directions=2, samples=256, jit_compile=False)
    b = LatentExplorer(generator, seed=5, n_directions=2, samples=256, jit_compile=False)
    np.testing.assert_array_equal(a.directions.vectors, b.directions.vectors)


def test_directions_refuse_a_missing_layer(generator):
    with pytest.raises(ValueError, match="no layer named"):
        latent_directions(generator, layer="nope")


def test_naming_directions_labels_their_sliders(explorer):
    explorer.name_directions(["stroke width", "slant"])
    assert explorer.sliders["pc1"].description == "PC1 stroke width"
    explorer.name_directions({3: "loop size"})
    assert explorer.sliders["pc3"].description == "PC3 loop size"
    with pytest.raises(ValueError, match="no direction 9"):
        explorer.name_directions({9: "x"})


def test_explorer_works_without_directions(generator):
    ex = LatentExplorer(generator, n_directions=0, n_coordinates=2)
    before = ex.image
    ex.sliders["z1"].value = -2.0
    assert changed(ex.image, before) and "pc1" not in ex.sliders


# ------------------------------------------------------------------------------- conditional
def test_digit_selector_changes_the_image(conditional_generator):
    ex = LatentExplorer(conditional_generator, label=3, n_directions=2, samples=256)
    before = ex.image
    ex.label = 7
    assert ex.label == 7 and changed(ex.image, before)
    expected = np.asarray(conditional_generator([ex.z[None], np.array([7])], training=False))[0]
    np.testing.assert_allclose(ex.image, expected, atol=1e-4)


def test_conditional_explorer_refuses_an_unknown_digit(conditional_generator):
    with pytest.raises(ValueError, match="0 to 9"):
        LatentExplorer(conditional_generator, label=10, n_directions=0)


def test_unconditional_explorer_has_no_label(explorer):
    assert explorer.label is None
    with pytest.raises(ValueError, match="unconditional"):
        explorer.label = 3


def test_mlp_generator_works_too():
    gan_utils.set_seed(0)
    g = gan_utils.build_mlp_generator(latent_dim=8, hidden_units=(16, 32))
    ex = LatentExplorer(g, n_directions=2, samples=128)
    before = ex.image
    ex.sliders["pc1"].value = 2.0
    assert changed(ex.image, before)


def test_a_generator_of_points_is_refused():
    g = gan_utils.build_mlp_generator(latent_dim=4, output_shape=(2,), hidden_units=(8,), output_activation=None)
    with pytest.raises(ValueError, match="shows images"):
        LatentExplorer(g, n_directions=0)


def test_a_non_model_is_refused():
    with pytest.raises(TypeError, match="keras.Model"):
        LatentExplorer(lambda z: z)


# ------------------------------------------------------------------------------- display
def _displayed(obj) -> dict:
    """What a front end receives when a notebook cell displays ``obj``."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as captured:
        display(obj)
    assert len(captured.outputs) == 1
    return captured.outputs[0].data


def test_display_sends_the_widget_view_and_a_static_png(explorer):
    import base64

    data = _displayed(explorer.widget)
    assert data[WIDGET_VIEW_MIMETYPE]["model_id"] == explorer.widget.model_id
    png = base64.b64decode(data["image/png"])
    assert png[:4] == b"\x89PNG"
    assert "LatentExplorer" in data["text/plain"]


def test_displaying_the_explorer_displays_its_widget(explorer):
    assert _displayed(explorer)[WIDGET_VIEW_MIMETYPE]["model_id"] == explorer.widget.model_id


def test_static_fallback_is_the_direction_grid(explorer):
    images = explorer.direction_grid(steps=5)
    assert images.shape == (3 * 5, 28, 28, 1)
    assert changed(images[0], images[4])  # -span and +span along PC1 differ


# ------------------------------------------------------------------------------- export
@pytest.mark.parametrize("what", ["image", "strip", "directions"])
def test_export_writes_each_figure_repeatably(explorer, tmp_path, what):
    a = explorer.export(tmp_path / "a" / what, what=what, formats=("png", "svg"))
    b = explorer.export(tmp_path / "b" / what, what=what, formats=("png", "svg"))
    assert [p.suffix for p in a] == [".png", ".svg"]
    assert all(p.read_bytes() == q.read_bytes() for p, q in zip(a, b))


def test_export_titles_say_where_z_comes_from(explorer):
    explorer.name_directions(["thickness"])
    explorer.sliders["pc1"].value = 2.0
    assert explorer.describe() == "seed 0 + 2 PC1 thickness"
    assert explorer.figure("image").axes[0].get_title() == "seed 0 + 2 PC1 thickness"


def test_export_refuses_unknown_figures_and_formats(explorer, tmp_path):
    with pytest.raises(ValueError, match="unknown export 'movie'"):
        explorer.export(tmp_path / "x", what="movie")
    with pytest.raises(ValueError, match="unknown figure format gif"):
        explorer.export(tmp_path / "x", formats=("gif",))


# ------------------------------------------------------------------------------- speed
def test_slider_to_new_image_is_fast(generator):
    ex = LatentExplorer(generator, n_directions=2, samples=256)
    png_before = ex._image_widget.value
    times = []
    for v in np.linspace(-2.0, 2.0, 41):
        start = time.perf_counter()
        ex.sliders["pc1"].value = float(v)
        times.append(time.perf_counter() - start)
    assert ex._image_widget.value != png_before
    assert np.median(times) < 0.030, f"median update {np.median(times) * 1000:.1f} ms"


# ------------------------------------------------------------------------------- ipywidgets 7
def test_widget_tests_pass_with_the_oldest_supported_ipywidgets(tmp_path):
    """Colab ships ipywidgets 7.7.1; re-run the core tests of this file against it.

    A throw-away virtualenv holds only ipywidgets 7.7.1 (and ipython_genutils, which it imports);
    everything else comes from this environment through a .pth file placed after it on sys.path.
    Where this environment already has ipywidgets 7 (CI's oldest stage), every test of this file
    has run on it: it must then be exactly the oldest supported version.
    """
    if IPYWIDGETS_MAJOR < 8:
        assert ipywidgets.__version__ == OLDEST_IPYWIDGETS
        return
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    here = next(p for p in sys.path if p.endswith("site-packages") and Path(p, "ipywidgets").is_dir())
    (site / "zz_outer_environment.pth").write_text(f"import site; site.addsitedir({here!r})\n")
    python = venv / "bin" / "python"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--target", str(site), f"ipywidgets=={OLDEST_IPYWIDGETS}", "ipython_genutils"],
        capture_output=True, text=True, timeout=300)
    if install.returncode:
        pytest.fail(f"could not install ipywidgets {OLDEST_IPYWIDGETS} from PyPI:\n{install.stderr[-2000:]}")
    version = subprocess.run([str(python), "-c", "import ipywidgets; print(ipywidgets.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version == OLDEST_IPYWIDGETS
    env = dict(os.environ, GAN_UTILS_NESTED_WIDGET_TEST="1")
    run = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", __file__,
         "-k", "slider or round_trips or digit or display or endpoints or export_writes"],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and " failed" not in run.stdout, run.stdout[-2000:]
    print(run.stdout.strip().splitlines()[-1], f"with ipywidgets {version}")

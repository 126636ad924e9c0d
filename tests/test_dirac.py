"""gan_utils.dirac: the Dirac-GAN reproduces Mescheder et al.'s result: unregularised gradient descent
circles around the equilibrium, a zero-centred penalty (R1, or R1 + R2) converges to it."""

from __future__ import annotations

import numpy as np
import pytest

from gan_utils import dirac, losses


def test_unregularised_gradient_descent_circles_and_r1_converges():
    # The Wasserstein loss without a constraint is the bilinear game theta * psi: alternating steps
    # keep the parameters on a closed orbit around (0, 0), at the start's distance.
    circling = dirac.dirac_path(losses.get_objective("wasserstein", needs_constrained_weights=False), steps=1000, learning_rate=0.05)
    assert dirac.final_radius(circling) == pytest.approx(np.sqrt(2), rel=0.05)
    assert np.abs(circling[-100:, 0]).max() > 1.0, "the generator keeps swinging across the data"
    # The cross-entropy GAN still circles at 1000 steps; the same loss with R1 reaches the equilibrium.
    plain = dirac.dirac_path("non-saturating", steps=1000, learning_rate=0.05)
    r1 = dirac.dirac_path(losses.get_objective("non-saturating", penalty="r1", gamma=1.0), steps=1000, learning_rate=0.05)
    assert dirac.final_radius(plain) > 0.3
    assert dirac.final_radius(r1) < 1e-3


def test_the_relativistic_loss_with_r1_and_r2_converges_and_without_them_does_not():
    both = dirac.dirac_path("relativistic", steps=1000, learning_rate=0.05)
    bare = dirac.dirac_path(losses.get_objective("relativistic", penalty=None, penalty_weight=0.0), steps=1000, learning_rate=0.05)
    assert dirac.final_radius(both) < 1e-2 < 0.3 < dirac.final_radius(bare)


def test_the_path_starts_at_the_given_point_and_bad_settings_are_refused():
    path = dirac.dirac_path("hinge", theta=0.5, psi=-2.0, steps=5)
    assert path.shape == (6, 2) and path[0].tolist() == [0.5, -2.0]
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        dirac.dirac_path("hinge", learning_rate=0.0)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        dirac.dirac_path("hinge", steps=0)
    with pytest.raises(ValueError, match="path must be an array of \\(theta, psi\\) rows"):
        dirac.final_radius(np.zeros(3))

"""Two small pictures that build intuition, on made-up 2-D problems instead of 784 pixels.

- :func:`flower`: DLS course 1's planar "flower", two classes of points in petals that no straight line separates;
  :func:`decision_boundaries` draws what networks of different hidden widths make of it.
- :func:`bowl_paths`: the paths of optimisers on an ill-conditioned bowl (Saitou's ``optimizer_compare_naive.py``).

Both take what they draw from the caller (a generator, trained networks, steps), so the notebooks' own functions do
the learning and the optimising.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .errors import require_generator, require_number

DPI = 100


def flower(rng: np.random.Generator, m: int = 400, petals: int = 4, noise: float = 0.2):
    """m points in the plane, X (2, m), labels Y (m,) of 0 and 1: two classes that alternate petal by petal.

    Half the points are class 0, half class 1; each lies at angle t and radius ``petals * sin(4 t)`` plus noise.
    rng draws the noise (angles first, then radii).
    """
    require_generator(rng)
    require_number("m", m, minimum=2, whole=True)
    half = m // 2
    X, Y = np.zeros((2, 2 * half)), np.repeat([0, 1], half)
    for label in (0, 1):
        t = np.linspace(label * 3.12, (label + 1) * 3.12, half) + rng.standard_normal(half) * noise
        r = petals * np.sin(4 * t) + rng.standard_normal(half) * noise
        X[:, label * half : (label + 1) * half] = np.vstack([r * np.sin(t), r * np.cos(t)])
    return X, Y


def decision_boundaries(
    X,
    Y,
    predict_by_name: dict,
    columns: int = 3,
    resolution: int = 150,
    title: str = "What the hidden layer buys: decision boundaries",
) -> Figure:
    """One panel per named network: its predicted class over the plane as a background, the points on top.

    predict_by_name: {name: function from points (2, n) to predicted labels (n,)}, e.g. ``{"1 hidden": ...}``;
    each name is the panel's title, with the training accuracy computed here.
    """
    X, Y = np.asarray(X, dtype=float), np.asarray(Y)
    pad = 0.5
    xs = np.linspace(X[0].min() - pad, X[0].max() + pad, resolution)
    ys = np.linspace(X[1].min() - pad, X[1].max() + pad, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.vstack([grid_x.ravel(), grid_y.ravel()])
    rows = -(-len(predict_by_name) // columns)
    fig = Figure(figsize=(3.3 * columns, 3.1 * rows + 0.4), dpi=DPI)
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False)).ravel()
    for ax, (name, predict) in zip(
        axes, predict_by_name.items(), strict=False
    ):  # a grid may have blank panels left over
        background = np.asarray(predict(grid)).reshape(grid_x.shape)
        ax.contourf(grid_x, grid_y, background, levels=[-0.5, 0.5, 1.5], colors=["#c6dbef", "#fdd0a2"])
        accuracy = 100 * np.mean(np.asarray(predict(X)) == Y)
        for label, color in ((0, "tab:blue"), (1, "tab:orange")):
            ax.scatter(*X[:, Y == label], s=6, color=color, label=f"class {label}")
        ax.set_title(f"{name}: train {accuracy:.1f}%", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[len(predict_by_name) :]:
        ax.set_axis_off()
    axes[0].legend(fontsize=8, loc="lower left")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def bowl(point, stretch: float = 20) -> float:
    """The ill-conditioned bowl f(x, y) = x²/stretch + y²: ``stretch`` times more curved along y than along x (its
    condition number)."""
    x, y = np.asarray(point, dtype=float)
    return x**2 / stretch + y**2


def bowl_gradient(point, stretch: float = 20) -> np.ndarray:
    """The gradient of :func:`bowl`: (2 x / stretch, 2 y)."""
    x, y = np.asarray(point, dtype=float)
    return np.array([2 * x / stretch, 2 * y])


def bowl_paths(paths: dict, stretch: float = 20, title: str | None = None) -> Figure:
    """One panel per named path (an array (steps + 1, 2) of points) over the contour lines of :func:`bowl` with
    this ``stretch``; the minimum at 0."""
    title = title or f"Optimisers on an ill-conditioned bowl, f(x, y) = x²/{stretch:g} + y²"
    fig = Figure(figsize=(3.6 * len(paths), 3.4), dpi=DPI)
    axes = np.atleast_1d(fig.subplots(1, len(paths), sharey=True))
    xs, ys = np.linspace(-10, 10, 201), np.linspace(-5, 5, 101)
    grid_x, grid_y = np.meshgrid(xs, ys)
    values = grid_x**2 / stretch + grid_y**2
    for ax, (name, path) in zip(axes, paths.items(), strict=False):  # a grid may have blank panels left over
        path = np.asarray(path, dtype=float)
        ax.contour(grid_x, grid_y, values, levels=[0.1, 0.25, 1, 2.5, 5, 10, 20], colors="lightgrey", linewidths=1)
        ax.plot(path[:, 0], path[:, 1], marker="o", ms=3, lw=1, color="tab:red")
        ax.plot(0, 0, "+", color="black", ms=10)
        steps = len(path) - 1
        ax.set_title(f"{name}\nf = {bowl(path[-1], stretch):.3f} after {steps} step{'s' * (steps != 1)}", fontsize=9)
        ax.set_xlim(-10, 10)
        ax.set_ylim(-5, 5)
        ax.set_xlabel("x", fontsize=10)
    axes[0].set_ylabel("y", fontsize=10)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig

"""Figures for the course. Each function builds a new ``matplotlib.figure.Figure`` and returns it.

They do not use pyplot, so no figure is registered globally: a notebook shows one by ending a cell with it
(or ``display(fig)``), and a script saves it with ``fig.savefig(path)``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .data import CLASS_NAMES, IMAGE_SHAPE, NUM_CLASSES, class_counts

DPI = 100  # readable on screen; still light enough for the committed notebooks


def show_inline() -> None:
    """In a notebook: display a Figure as PNG when a cell ends with one (call once, after the imports).

    The figures here are laid out by ``tight_layout`` already, so they are saved as they are, without the
    second layout pass of ``bbox_inches="tight"``.
    """
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("png", bbox_inches=None)


def _image(column) -> np.ndarray:
    return np.asarray(column, dtype=float).reshape(IMAGE_SHAPE)


def _grid(n: int, columns: int, size: float = 1.6, extra_height: float = 0.4, title: bool = False):
    """A figure of image tiles with room above each for its title (and above all for a suptitle).

    The margins are computed here rather than by ``tight_layout``, which is slow with many axes.
    """
    rows = max(1, -(-n // columns))
    head = 0.45 if title else 0.05  # inches above the first row
    height = rows * (size + extra_height) + head
    fig = Figure(figsize=(columns * size, height), dpi=DPI)
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax in axes:
        ax.set_axis_off()
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=1 - (head + extra_height) / height,
                        wspace=0.08, hspace=extra_height / size)
    return fig, axes


def image_grid(X, Y, indices=None, predictions=None, columns: int = 8, title: str | None = None) -> Figure:
    """Images (columns of X, (784, m)) with their class names; with predictions, wrong ones titled in red.

    indices: which columns to show (default: the first 16).
    """
    indices = list(range(min(16, X.shape[1]))) if indices is None else list(indices)
    # wrong predictions get a two-line title: leave room for it
    fig, axes = _grid(len(indices), min(columns, max(1, len(indices))),
                      extra_height=0.4 if predictions is None else 0.75, title=bool(title))
    for ax, idx in zip(axes, indices):
        ax.imshow(_image(X[:, idx]), cmap="gray_r", vmin=0, vmax=1)
        label = CLASS_NAMES[int(Y[idx])]
        if predictions is None:
            ax.set_title(label, fontsize=9)
        else:
            guess = CLASS_NAMES[int(predictions[idx])]
            right = int(predictions[idx]) == int(Y[idx])
            ax.set_title(f"{guess}" if right else f"{guess}\n(true: {label})", fontsize=9,
                         color="black" if right else "crimson")
    if title:
        fig.suptitle(title)
    return fig


def class_balance(title: str = "Examples per class", **label_sets) -> Figure:
    """Bar chart of how many examples each class has, one group of bars per named label array."""
    fig = Figure(figsize=(9, 3.6), dpi=DPI)
    ax = fig.subplots()
    width = 0.8 / max(1, len(label_sets))
    x = np.arange(NUM_CLASSES)
    for i, (name, labels) in enumerate(label_sets.items()):
        ax.bar(x + i * width, class_counts(labels), width=width, label=name.replace("_", " "))
    ax.set_xticks(x + width * (len(label_sets) - 1) / 2, CLASS_NAMES, rotation=30, ha="right")
    ax.set_ylabel("number of images")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def activation_curves(curves: dict, z=None) -> Figure:
    """Line plots of named functions of z (e.g. ReLU and its derivative), side by side."""
    z = np.linspace(-4, 4, 801) if z is None else z
    fig = Figure(figsize=(4 * len(curves), 3), dpi=DPI)
    axes = np.atleast_1d(fig.subplots(1, len(curves)))
    for ax, (name, fn) in zip(axes, curves.items()):
        ax.plot(z, fn(z))
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_title(name)
        ax.set_xlabel("z")
    fig.tight_layout()
    return fig


def probability_bars(image, probabilities, true_label: int | None = None, title: str | None = None) -> Figure:
    """An image beside a bar chart of the ten predicted class probabilities."""
    fig = Figure(figsize=(9, 3), dpi=DPI)
    ax_img, ax_bar = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 3]})
    ax_img.imshow(_image(image), cmap="gray_r", vmin=0, vmax=1)
    ax_img.set_axis_off()
    if true_label is not None:
        ax_img.set_title(f"true: {CLASS_NAMES[int(true_label)]}", fontsize=9)
    probabilities = np.ravel(probabilities)
    colors = ["tab:blue"] * NUM_CLASSES
    colors[int(np.argmax(probabilities))] = "tab:orange"
    ax_bar.bar(range(NUM_CLASSES), probabilities, color=colors)
    ax_bar.set_xticks(range(NUM_CLASSES), CLASS_NAMES, rotation=30, ha="right", fontsize=9)
    ax_bar.set_ylim(0, 1)
    ax_bar.set_ylabel("probability")
    ax_bar.set_title(title or "predicted probabilities")
    fig.tight_layout()
    return fig


def log_y_axis(ax) -> None:
    """Put ax's y-axis on a log scale with plain tick labels (0.6, not 6×10⁻¹), for losses that span decades."""
    ax.set_yscale("log")
    plain = FuncFormatter(lambda y, _: f"{y:g}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)


def training_curves(history: dict, title: str = "Training") -> Figure:
    """Loss (log scale) and accuracy against iteration, from ``gradient_descent``'s history: the training images,
    and the dev images too when the history has them (``dev_loss``, ``dev_accuracy``)."""
    fig = Figure(figsize=(10, 3.6), dpi=DPI)
    ax_loss, ax_acc = fig.subplots(1, 2)
    has_dev = "dev_accuracy" in history
    ax_loss.plot(history["iteration"], history["loss"], marker=".", ms=4, label="training images")
    ax_acc.plot(history["iteration"], history["train_accuracy"], marker=".", ms=4, label="training images")
    if has_dev:
        ax_loss.plot(history["iteration"], history["dev_loss"], marker=".", ms=4, color="tab:orange",
                     label="dev images (never trained on)")
        ax_acc.plot(history["iteration"], history["dev_accuracy"], marker=".", ms=4, color="tab:orange",
                    label="dev images (never trained on)")
    log_y_axis(ax_loss)  # the first steps dominate a linear axis; on a log axis the tail's slope shows
    ax_loss.set_ylabel("cross-entropy loss (log scale)")
    ax_loss.set_title(f"{title}: loss", fontsize=11)
    ax_acc.set_ylabel("accuracy (%)")
    ax_acc.set_title(f"{title}: accuracy", fontsize=11)
    for ax in (ax_loss, ax_acc):
        ax.set_xlabel("iteration")
        ax.grid(alpha=0.3)
        ax.tick_params(which="both", labelsize=9)
        ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


def confusion_heatmap(cm, title: str = "Confusion matrix") -> Figure:
    """Heatmap of a (10, 10) confusion matrix with class names and the count in each cell."""
    cm = np.asarray(cm)
    fig = Figure(figsize=(7.5, 6.5), dpi=DPI)
    ax = fig.subplots()
    image = ax.imshow(cm, cmap="Purples")
    fig.colorbar(image, ax=ax, fraction=0.046)
    ax.set_xticks(range(NUM_CLASSES), CLASS_NAMES, rotation=45, ha="right")
    ax.set_yticks(range(NUM_CLASSES), CLASS_NAMES)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    threshold = cm.max() / 2 if cm.size else 0
    for (t, p), count in np.ndenumerate(cm):
        if count:
            ax.text(p, t, str(count), ha="center", va="center", fontsize=9,
                    color="white" if count > threshold else "black")
    fig.tight_layout()
    return fig


def misclassified_gallery(X, Y, predictions, indices, columns: int = 8, title: str | None = None) -> Figure:
    """The listed examples with predicted and true class: a gallery of one kind of mistake."""
    if len(indices) == 0:
        fig = Figure(figsize=(4, 1), dpi=DPI)
        fig.text(0.5, 0.5, "no examples", ha="center", va="center")
        return fig
    return image_grid(X, Y, indices=indices, predictions=predictions, columns=columns, title=title)


def first_layer_weights(W1, columns: int = 10,
                        title: str = "First-layer weights (red: positive, blue: negative)") -> Figure:
    """Each hidden neuron's 784 input weights (rows of W1) as a 28x28 image, red positive, blue negative."""
    W1 = np.asarray(W1)
    fig, axes = _grid(W1.shape[0], min(columns, W1.shape[0]), size=1.3, extra_height=0.45, title=bool(title))
    limit = float(np.abs(W1).max()) or 1.0
    for i, (ax, row) in enumerate(zip(axes, W1)):
        image = ax.imshow(row.reshape(IMAGE_SHAPE), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"neuron {i}", fontsize=9)
    fig.subplots_adjust(right=0.84)  # room for the colour bar and its labels on the right
    fig.colorbar(image, cax=fig.add_axes((0.86, 0.2, 0.015, 0.6)), label="weight")
    if title:
        fig.suptitle(title)
    return fig


def metric_vs_lambda(table, title: str = "Accuracy against L2 strength") -> Figure:
    """Train and dev accuracy against lambda_reg (log scale; lambda 0 drawn at the left edge), from a sweep table."""
    lambdas = np.asarray(table["lambda_reg"], dtype=float)
    positive = lambdas[lambdas > 0]
    zero_at = positive.min() / 10 if positive.size else 1e-3
    x = np.where(lambdas > 0, lambdas, zero_at)
    fig = Figure(figsize=(7, 3.6), dpi=DPI)
    ax = fig.subplots()
    ax.plot(x, table["train_accuracy"], marker="o", label="train")
    ax.plot(x, table["dev_accuracy"], marker="o", label="dev")
    ax.set_xscale("log")
    ticks = list(x)
    ax.set_xticks(ticks, [f"{v:g}" for v in lambdas], rotation=45)
    ax.minorticks_off()
    ax.set_xlabel("L2 strength λ (lambda_reg; 0 at the left edge)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig

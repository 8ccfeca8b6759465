"""Figures for the course. Each function builds a new ``matplotlib.figure.Figure`` and returns it.

They do not use pyplot, so no figure is registered globally: a notebook shows one by ending a cell with it
(or ``display(fig)``), and a script saves it with ``fig.savefig(path)``.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
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


def _tiles(
    images,
    columns: int,
    size: float = 1.6,
    extra_height: float = 0.4,
    title: bool = False,
    right: float = 0.99,
    titles=None,
    colors=None,
    **imshow,
):
    """Images (n, 28, 28) as tiles of one picture, each ``size`` inches wide with ``extra_height`` inches above it
    for its title (and room above all for a suptitle); the picture ends at ``right`` (figure fraction).

    One image in one axes, the gaps blank (NaN): drawing twenty axes costs ten times more, and the tiles share
    one colour scale anyway. Returns ``fig, picture`` (the AxesImage, for a colour bar).
    """
    images = np.asarray(images, dtype=float)
    n, (rows_px, cols_px) = len(images), IMAGE_SHAPE
    rows = max(1, -(-n // columns))
    gap = max(1, round(0.08 * cols_px))  # pixels between tiles in a row
    inch = size / (cols_px + gap)  # inches per pixel
    band = max(1, round(extra_height / inch))  # blank pixels above each row, for the tile titles
    picture = np.full((rows * (band + rows_px), columns * (cols_px + gap) - gap), np.nan)
    for k, image in enumerate(images):
        top, left = (k // columns) * (band + rows_px) + band, (k % columns) * (cols_px + gap)
        picture[top : top + rows_px, left : left + cols_px] = image
    head, foot = (0.45 if title else 0.05), 0.05  # inches above the first row's titles, below the last row
    width, height = picture.shape[1] * inch, picture.shape[0] * inch
    fig = Figure(figsize=(width / (right - 0.01), height + head + foot), dpi=DPI)
    ax = fig.add_axes((0.01, foot / fig.get_figheight(), right - 0.01, height / fig.get_figheight()))
    ax.set_axis_off()
    cmap = colormaps[imshow.pop("cmap")].with_extremes(bad="white")  # the gaps
    shown = ax.imshow(picture, interpolation="nearest", cmap=cmap, **imshow)
    for k, text in enumerate(titles or []):
        x = (k % columns) * (cols_px + gap) + cols_px / 2 - 0.5
        y = (k // columns) * (band + rows_px) + band - 0.5 - 0.03 * rows_px
        ax.text(x, y, text, ha="center", va="bottom", fontsize=9, color=(colors or {}).get(k, "black"))
    return fig, shown


def image_grid(X, Y, indices=None, predictions=None, columns: int = 8, title: str | None = None, labels=None) -> Figure:
    """Images (columns of X, (784, m)) with their class names; with predictions, wrong ones titled in red.

    indices: which columns to show (default: the first 16).
    labels: one title per shown image instead of its class name (for tiles that are not garments, e.g. a difference).
    """
    indices = list(range(min(16, X.shape[1]))) if indices is None else list(indices)
    if labels is not None and len(labels) != len(indices):
        raise ValueError(f"image_grid: {len(labels)} labels for {len(indices)} images; give one label per image")
    titles, colors = [], {}
    for k, idx in enumerate(indices):
        if labels is not None:
            titles.append(str(labels[k]))
            continue
        label = CLASS_NAMES[int(Y[idx])]
        if predictions is None:
            titles.append(label)
            continue
        guess = CLASS_NAMES[int(predictions[idx])]
        right = int(predictions[idx]) == int(Y[idx])
        titles.append(f"{guess}" if right else f"{guess}\n(true: {label})")
        colors[k] = "black" if right else "crimson"
    # wrong predictions get a two-line title: leave room for it
    fig, _ = _tiles(
        [_image(X[:, idx]) for idx in indices],
        min(columns, max(1, len(indices))),
        extra_height=0.4 if predictions is None else 0.75,
        title=bool(title),
        titles=titles,
        colors=colors,
        cmap="gray_r",
        vmin=0,
        vmax=1,
    )
    if title:
        fig.suptitle(title)
    return fig


def class_balance(title: str = "Examples per class", proportions: bool = False, **label_sets) -> Figure:
    """Bar chart of how many examples each class has, one group of bars per named label array.

    proportions: draw each class's share (%) of its own set instead of counts, so sets of different sizes compare.
    """
    fig = Figure(figsize=(9, 3.6), dpi=DPI)
    ax = fig.subplots()
    width = 0.8 / max(1, len(label_sets))
    x = np.arange(NUM_CLASSES)
    for i, (name, labels) in enumerate(label_sets.items()):
        counts = class_counts(labels)
        heights = 100 * counts / max(1, counts.sum()) if proportions else counts
        ax.bar(x + i * width, heights, width=width, label=name.replace("_", " "))
    ax.set_xticks(x + width * (len(label_sets) - 1) / 2, CLASS_NAMES, rotation=30, ha="right")
    ax.set_ylabel("share of the set's images (%)" if proportions else "number of images")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def activation_curves(curves: dict, z=None) -> Figure:
    """Line plots of named functions of z (e.g. ReLU and its derivative), side by side."""
    z = np.linspace(-4, 4, 801) if z is None else z
    fig = Figure(figsize=(4 * len(curves), 3), dpi=DPI)
    axes = np.atleast_1d(fig.subplots(1, len(curves)))
    for ax, (name, fn) in zip(axes, curves.items(), strict=False):  # a grid may have blank panels left over
        ax.plot(z, fn(z))
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_title(name)
        ax.set_xlabel("z")
    fig.tight_layout()
    return fig


def probability_bars(image, probabilities, true_label: int | None = None, title: str | None = None) -> Figure:
    """An image beside a bar chart of the ten predicted class probabilities; the predicted class's bar is orange,
    the true class's bar is outlined and its name bold, and each bar is labelled with its value."""
    fig = Figure(figsize=(9, 3), dpi=DPI)
    ax_img, ax_bar = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 3]})
    ax_img.imshow(_image(image), cmap="gray_r", vmin=0, vmax=1)
    ax_img.set_axis_off()
    if true_label is not None:
        ax_img.set_title(f"true: {CLASS_NAMES[int(true_label)]}", fontsize=9)
    probabilities = np.ravel(probabilities)
    colors = ["tab:blue"] * NUM_CLASSES
    colors[int(np.argmax(probabilities))] = "tab:orange"
    bars = ax_bar.bar(range(NUM_CLASSES), probabilities, color=colors)
    ax_bar.bar_label(bars, [f"{p:.2f}" for p in probabilities], fontsize=8, padding=1)
    ax_bar.set_xticks(range(NUM_CLASSES), CLASS_NAMES, rotation=30, ha="right", fontsize=9)
    if true_label is not None:
        bars[int(true_label)].set(edgecolor="black", linewidth=1.5, hatch="//")
        ax_bar.get_xticklabels()[int(true_label)].set_fontweight("bold")
    ax_bar.set_ylim(0, 1.08)
    ax_bar.set_ylabel("probability")
    ax_bar.set_title(title or "predicted probabilities")
    fig.tight_layout()
    return fig


def log_y_axis(ax) -> None:
    """Put ax's y-axis on a log scale with plain tick labels (0.6, not 6×10⁻¹), for losses that span decades:
    every power of ten, and of the ticks between them only 2, 3 and 5 times one, so labels do not overlap."""
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda y, _: f"{y:g}" if _leading_digit(y) in (2, 3, 5) else ""))


def _leading_digit(y: float) -> int:
    """The first significant digit of y > 0 (3 for 0.3 and for 30)."""
    return int(round(y / 10 ** np.floor(np.log10(y)), 6))


def training_curves(history: dict, title: str = "Training") -> Figure:
    """Loss (log scale) and accuracy against iteration, from ``gradient_descent``'s history: the training images,
    and the dev images too when the history has them (``dev_loss``, ``dev_accuracy``)."""
    fig = Figure(figsize=(10, 3.6), dpi=DPI)
    ax_loss, ax_acc = fig.subplots(1, 2)
    sets = [("loss", "train_accuracy", "training images", "tab:blue")]
    if "dev_accuracy" in history:
        sets.append(("dev_loss", "dev_accuracy", "dev images (never trained on)", "tab:orange"))
    for loss, accuracy, label, color in sets:
        ax_loss.plot(history["iteration"], history[loss], marker=".", ms=4, color=color, label=label)
        ax_acc.plot(history["iteration"], history[accuracy], marker=".", ms=4, color=color, label=label)
    log_y_axis(ax_loss)  # the first steps dominate a linear axis; on a log axis the tail's slope shows
    ax_loss.set_ylabel("cross-entropy loss (log scale)")
    ax_loss.set_title(f"{title}: loss", fontsize=11)
    ax_acc.set_ylabel("accuracy (%)")
    ax_acc.set_title(f"{title}: accuracy", fontsize=11)
    return _iteration_panels(fig, ax_loss, ax_acc)


def _iteration_panels(fig: Figure, *axes) -> Figure:
    """The finish both loss-and-accuracy figures share: an iteration axis, a light grid, small ticks, a legend."""
    for ax in axes:
        ax.set_xlabel("iteration")
        ax.grid(alpha=0.3)
        ax.tick_params(which="both", labelsize=9)
        ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


def compared_curves(histories: dict, what: str = "three learning rates") -> Figure:
    """Training loss (log scale) and dev accuracy against iteration, one line per named ``gradient_descent`` history
    (each with ``dev_accuracy``), the same colour in both panels."""
    fig = Figure(figsize=(10, 3.6), dpi=DPI)
    ax_loss, ax_acc = fig.subplots(1, 2)
    for label, history in histories.items():
        (line,) = ax_loss.plot(history["iteration"], history["loss"], label=label)
        ax_acc.plot(history["iteration"], history["dev_accuracy"], color=line.get_color(), label=label)
    log_y_axis(ax_loss)
    ax_loss.set_ylabel("training loss (log scale)")
    ax_acc.set_ylabel("dev accuracy (%)")
    ax_loss.set_title(f"Training loss for {what}", fontsize=11)
    ax_acc.set_title(f"Dev accuracy for {what}", fontsize=11)
    return _iteration_panels(fig, ax_loss, ax_acc)


def confusion_heatmap(cm, title: str = "Confusion matrix") -> Figure:
    """Heatmap of a (10, 10) confusion matrix with class names and the count in each cell. The colour is the
    cell's share of its row, the true class's images (%), so classes of different sizes compare: a pale diagonal
    cell is a class often missed, a dark cell off it a frequent confusion."""
    cm = np.asarray(cm)
    totals = cm.sum(axis=1, keepdims=True)
    share = 100 * np.divide(cm, totals, out=np.zeros(cm.shape), where=totals > 0)
    fig = Figure(figsize=(7.5, 6.5), dpi=DPI)
    ax = fig.subplots()
    image = ax.imshow(share, cmap="Purples", vmin=0, vmax=100)
    fig.colorbar(image, ax=ax, fraction=0.046, label="share of the true class's images (%)")
    ax.set_xticks(range(NUM_CLASSES), CLASS_NAMES, rotation=45, ha="right")
    ax.set_yticks(range(NUM_CLASSES), CLASS_NAMES)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    for (t, p), count in np.ndenumerate(cm):
        if count:
            color = "white" if share[t, p] > 50 else "black"
            ax.text(p, t, str(count), ha="center", va="center", fontsize=9, color=color)
    fig.tight_layout()
    return fig


def misclassified_gallery(X, Y, predictions, indices, columns: int = 8, title: str | None = None) -> Figure:
    """The listed examples with predicted and true class: a gallery of one kind of mistake. When every example is
    the same mistake (one true class, one predicted class), the tiles are titled with their image index and the
    mistake is said once, in the figure's title (``title``, or one made from the classes), with the count."""
    if len(indices) == 0:
        fig = Figure(figsize=(4, 1), dpi=DPI)
        fig.text(0.5, 0.5, "no examples", ha="center", va="center")
        return fig
    pairs = {(int(Y[i]), int(predictions[i])) for i in indices}
    if len(pairs) > 1 or len(indices) == 1:
        return image_grid(X, Y, indices=indices, predictions=predictions, columns=columns, title=title)
    ((true, guess),) = pairs
    fig, _ = _tiles(
        [_image(X[:, i]) for i in indices],
        min(columns, len(indices)),
        title=True,
        titles=[f"image {i}" for i in indices],
        cmap="gray_r",
        vmin=0,
        vmax=1,
    )
    count = f"{len(indices)} images"
    fig.suptitle(f"{title} ({count})" if title else f"{CLASS_NAMES[true]} predicted as {CLASS_NAMES[guess]}: {count}")
    return fig


def first_layer_weights(
    W1,
    columns: int = 10,
    title: str = "First-layer weights (red: positive, blue: negative)",
    own_scales: bool = False,
    size: float = 1.3,
    label: str = "weight",
) -> Figure:
    """Each hidden neuron's 784 input weights (rows of W1, or of a gradient dW1) as a 28x28 image, red positive,
    blue negative, with a colour bar saying what the colours measure (``label``: e.g. "change of weight" for
    W1 - W1_init).

    own_scales: scale each tile by its own largest |value| (shows every neuron's pattern, but tiles can no longer be
    compared with each other); by default all tiles share one symmetric scale.
    """
    W1 = np.asarray(W1, dtype=float)
    if own_scales:
        tile_limits = np.abs(W1).max(axis=1, keepdims=True)
        W1 = W1 / np.where(tile_limits > 0, tile_limits, 1.0)
    limit = float(np.abs(W1).max()) or 1.0
    fig, image = _tiles(
        W1.reshape((-1,) + IMAGE_SHAPE),
        min(columns, W1.shape[0]),
        size=size,
        extra_height=0.45,
        title=bool(title),
        right=0.84,  # room on the right for the colour bar and its labels
        titles=[f"neuron {i}" for i in range(W1.shape[0])],
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
    )
    fig.colorbar(
        image,
        cax=fig.add_axes((0.86, 0.2, 0.015, 0.6)),
        label=f"{label} / the tile's largest |{label}|" if own_scales else label,
    )
    if title:
        fig.suptitle(title)
    return fig


def training_diagnostics(runs: dict, title: str = "Inside the training") -> Figure:
    """What happens inside a training, one line per named run: the training loss (log scale), the share of hidden
    ReLU outputs that are 0 (dashed: the share of *dead* neurons, 0 on every training image) and the size of each
    update against the size of the weights, ``||alpha dW|| / ||W||`` per layer (log scale; about 1e-3 is the usual
    rule of thumb). Each run is a dict of lists: ``iteration``, ``loss``, ``inactive``, ``dead``, ``ratio_W1``,
    ``ratio_W2``."""
    fig = Figure(figsize=(12, 4.6), dpi=DPI)
    ax_loss, ax_relu, ax_ratio = fig.subplots(1, 3)
    for k, (name, run) in enumerate(runs.items()):
        color, every = f"C{k}", max(1, len(run["iteration"]) // 8)
        ax_loss.plot(run["iteration"], run["loss"], color=color, label=name)
        ax_relu.plot(run["iteration"], 100 * np.asarray(run["inactive"]), color=color, label=f"{name}: outputs 0")
        # markers of their own, offset, so that equal shares (often both 0) stay visible as two lines
        markers = {"marker": "ox^s"[k % 4], "markevery": (k * every // 2, every), "ms": 5}
        dead = 100 * np.asarray(run["dead"])
        ax_relu.plot(run["iteration"], dead, "--", color=color, label=f"{name}: dead neurons", **markers)
        ax_ratio.plot(run["iteration"], run["ratio_W1"], color=color, label=f"{name}: W1")
        ax_ratio.plot(run["iteration"], run["ratio_W2"], ":", color=color, label=f"{name}: W2")
    log_y_axis(ax_loss)
    ax_loss.axhline(np.log(NUM_CLASSES), color="grey", lw=1, ls="--", label="ln 10 (a uniform guess)")
    ax_loss.set_ylabel("training loss (log scale)")
    ax_relu.set_ylabel("share of hidden ReLUs (%)")
    ax_ratio.set_yscale("log")
    ax_ratio.axhline(1e-3, color="grey", lw=1, ls="--", label="1e-3 (rule of thumb)")
    ax_ratio.set_ylabel("||alpha dW|| / ||W|| (log scale)")
    for ax, name in ((ax_loss, "loss"), (ax_relu, "inactive and dead ReLUs"), (ax_ratio, "update : weight")):
        ax.set_title(f"{title}: {name}", fontsize=10)
        ax.set_xlabel("iteration")
        ax.grid(alpha=0.3)
        ax.tick_params(which="both", labelsize=9)
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18))  # below the axes: no line hidden
    fig.tight_layout()
    return fig

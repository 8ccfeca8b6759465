"""fashion_helpers.plots: each function returns a new Figure and leaves pyplot's global state alone."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from fashion_helpers import analysis, network, plots  # noqa: E402


def test_training_curves_show_train_and_dev_on_a_log_loss_axis_in_words():
    history = {"iteration": [0, 10, 19], "loss": [2.3, 1.2, 0.9], "train_accuracy": [10.0, 50.0, 70.0],
               "dev_loss": [2.4, 1.4, 1.1], "dev_accuracy": [9.0, 45.0, 60.0]}
    fig = plots.training_curves(history)
    ax_loss, ax_acc = fig.axes
    assert ax_loss.get_yscale() == "log"
    assert fig.dpi >= 100
    for ax in (ax_loss, ax_acc):
        assert len(ax.get_lines()) == 2
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == ["training images", "dev images (never trained on)"]
        texts = [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(), *ax.get_legend().get_texts()]
        assert min(t.get_fontsize() for t in texts) >= 9
    train_only = plots.training_curves({k: history[k] for k in ("iteration", "loss", "train_accuracy")})
    assert all(len(ax.get_lines()) == 1 for ax in train_only.axes)


def test_every_plot_returns_a_figure_without_pyplot_state(split, tmp_path):
    X_train, Y_train, _, _ = split
    rng = np.random.default_rng(0)
    params = network.init_params(rng)
    predictions = network.make_predictions(X_train[:, :40], *params)
    history = {"iteration": [0, 10, 19], "loss": [2.3, 1.2, 0.9], "train_accuracy": [10.0, 50.0, 70.0]}
    sweep = pd.DataFrame({"lambda_reg": [0.0, 0.1, 1.0], "train_accuracy": [83, 82, 81], "dev_accuracy": [77, 78, 76]})
    before = plt.get_fignums()
    figures = [
        plots.image_grid(X_train, Y_train),
        plots.image_grid(X_train, Y_train, indices=[0, 1, 2], predictions=predictions),
        plots.class_balance(train=Y_train),
        plots.activation_curves({"ReLU": network.ReLU, "ReLU'": network.ReLU_deriv}),
        plots.probability_bars(X_train[:, 0], network.forward_prop(*params, X_train[:, :1])[3], Y_train[0]),
        plots.training_curves(history),
        plots.confusion_heatmap(analysis.confusion_matrix(Y_train[:40], predictions)),
        plots.misclassified_gallery(X_train, Y_train, predictions, [0, 1]),
        plots.misclassified_gallery(X_train, Y_train, predictions, []),
        plots.first_layer_weights(params[0]),
        plots.metric_vs_lambda(sweep),
    ]
    assert plt.get_fignums() == before
    for i, fig in enumerate(figures):
        assert isinstance(fig, Figure)
        fig.savefig(tmp_path / f"{i}.png")
        assert (tmp_path / f"{i}.png").stat().st_size > 0

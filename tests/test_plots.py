"""fashion_helpers.plots and choice_plots: each function returns a new Figure and leaves pyplot's global state
alone."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from fashion_helpers import analysis, choice_plots, plots  # noqa: E402


def test_training_curves_show_train_and_dev_on_a_log_loss_axis_in_words():
    history = {
        "iteration": [0, 10, 19],
        "loss": [2.3, 1.2, 0.9],
        "train_accuracy": [10.0, 50.0, 70.0],
        "dev_loss": [2.4, 1.4, 1.1],
        "dev_accuracy": [9.0, 45.0, 60.0],
    }
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


def test_every_plot_returns_a_figure_without_pyplot_state(split, tmp_path, reference):
    network = reference  # the instructor's solutions: the plots take any network's arrays
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
        choice_plots.metric_vs_lambda(sweep),
        choice_plots.search_trials([]),
        choice_plots.lambda_bands(
            {
                "uniform start": sweep.assign(seed=0),
                "scaled": pd.concat(
                    [sweep.assign(seed=0), sweep.assign(seed=1, dev_accuracy=sweep["dev_accuracy"] + 2)]
                ),
            }
        ),
    ]
    assert plt.get_fignums() == before
    for i, fig in enumerate(figures):
        assert isinstance(fig, Figure)
        fig.savefig(tmp_path / f"{i}.png")
        assert (tmp_path / f"{i}.png").stat().st_size > 0


def test_image_tiles_are_one_picture_with_each_image_in_its_place_and_wrong_titles_in_red(split):
    X_train, Y_train, _, _ = split
    predictions = Y_train[:3].copy()
    predictions[1] = (predictions[1] + 1) % 10
    fig = plots.image_grid(X_train, Y_train, indices=[0, 1, 2], predictions=predictions, columns=2)
    (ax,) = fig.axes  # one axes, one picture: twenty axes would take ten times longer to draw
    (picture,) = ax.get_images()
    tiles = picture.get_array().filled(np.nan)
    tile_rows = np.flatnonzero(~np.isnan(tiles).all(axis=1)).reshape(-1, 28)  # blank (NaN) between the tiles
    tile_columns = np.flatnonzero(~np.isnan(tiles).all(axis=0)).reshape(-1, 28)
    assert (len(tile_rows), len(tile_columns)) == (2, 2)
    for k in range(3):  # image k in row k // 2, column k % 2
        rows, columns = tile_rows[k // 2], tile_columns[k % 2]
        assert np.array_equal(tiles[np.ix_(rows, columns)], X_train[:, k].reshape(28, 28))
    assert np.isnan(tiles[np.ix_(tile_rows[1], tile_columns[1])]).all()  # no fourth image
    titles = [(t.get_text(), t.get_color()) for t in ax.texts]
    assert [color for _, color in titles] == ["black", "crimson", "black"]
    assert "(true: " in titles[1][0]


def test_image_tiles_take_given_labels_one_per_image_and_refuse_a_wrong_count(split):
    X_train, Y_train, _, _ = split
    fig = plots.image_grid(X_train, Y_train, indices=[0, 1], labels=["original", "difference"])
    assert [t.get_text() for t in fig.axes[0].texts] == ["original", "difference"]
    with pytest.raises(ValueError, match="2 labels for 3 images"):
        plots.image_grid(X_train, Y_train, indices=[0, 1, 2], labels=["a", "b"])


def test_weight_tiles_share_one_scale_or_each_take_their_own():
    W = np.outer(np.arange(1, 5), np.linspace(-1, 1, 784))
    shared = plots.first_layer_weights(W, columns=2).axes[0].get_images()[0]
    assert shared.get_clim() == (-4.0, 4.0)
    own = plots.first_layer_weights(W, columns=2, own_scales=True).axes[0].get_images()[0]
    assert own.get_clim() == (-1.0, 1.0)
    values = own.get_array().filled(np.nan)
    assert np.nanmax(values) == 1.0 and np.nanmin(values) == -1.0
    assert np.isclose(np.nanmax(shared.get_array().filled(np.nan)), 4.0)


def test_weight_colour_bars_say_what_the_colours_measure():
    W = np.outer(np.arange(1, 5), np.linspace(-1, 1, 784))
    assert plots.first_layer_weights(W).axes[1].get_ylabel() == "weight"
    assert plots.first_layer_weights(W, label="change of weight").axes[1].get_ylabel() == "change of weight"
    own = plots.first_layer_weights(W, own_scales=True, label="change of weight").axes[1].get_ylabel()
    assert own == "change of weight / the tile's largest |change of weight|"


def test_lambda_bands_draw_the_mean_and_a_band_of_one_sd_per_sweep():
    runs = pd.DataFrame(
        {
            "lambda_reg": [0.0, 1.0, 10.0] * 3,
            "seed": [0] * 3 + [1] * 3 + [2] * 3,
            "train_accuracy": [100, 99, 90, 98, 97, 88, 99, 98, 89],
            "dev_accuracy": [66, 68, 72, 70, 70, 73, 68, 69, 74],
        }
    )
    scaled = runs.assign(dev_accuracy=runs["dev_accuracy"] + 1)
    fig = choice_plots.lambda_bands({"uniform start": runs, "scaled start": scaled})
    ax_dev, ax_train = fig.axes
    assert [line.get_label() for line in ax_dev.get_lines()] == ["uniform start", "scaled start"]
    assert np.allclose(ax_dev.get_lines()[0].get_ydata(), [68, 69, 73])  # the dev means, left
    assert np.allclose(ax_dev.get_lines()[1].get_ydata(), [69, 70, 74])
    assert np.allclose(ax_train.get_lines()[0].get_ydata(), [99, 98, 89])  # the train means, right
    assert len(ax_dev.collections) == len(ax_train.collections) == 2  # one band per line
    assert {line.get_color() for line in ax_dev.get_lines()}.isdisjoint({"C0", "C1"})  # not train's and dev's colours
    assert [t.get_text() for t in ax_dev.get_xticklabels()] == ["0", "1", "10"]
    assert ax_train.get_legend() is not None


def test_training_diagnostics_draw_loss_relu_shares_and_update_ratios_per_run():
    run = {
        "iteration": [0, 10, 20],
        "loss": [3.9, 1.8, 1.4],
        "inactive": [0.5, 0.55, 0.6],
        "dead": [0.0, 0.0, 0.05],
        "ratio_W1": [1e-2, 5e-3, 2e-3],
        "ratio_W2": [2e-2, 1e-2, 5e-3],
    }
    fig = plots.training_diagnostics({"uniform start": run, "last layer scaled": run})
    ax_loss, ax_relu, ax_ratio = fig.axes
    assert ax_loss.get_yscale() == "log" and ax_ratio.get_yscale() == "log"
    assert len(ax_relu.get_lines()) == 4
    assert np.allclose(ax_relu.get_lines()[0].get_ydata(), [50, 55, 60])  # shares drawn in percent
    assert "ln 10 (a uniform guess)" in [t.get_text() for t in ax_loss.get_legend().get_texts()]
    assert "1e-3 (rule of thumb)" in [t.get_text() for t in ax_ratio.get_legend().get_texts()]
    dead = [line for line in ax_relu.get_lines() if line.get_linestyle() == "--"]
    assert len({line.get_marker() for line in dead}) == 2  # equal dead shares stay two visible lines


def test_class_balance_can_draw_each_class_as_a_share_of_its_own_set():
    small, large = np.array([0, 0, 1, 1]), np.array([0] * 30 + [1] * 10)
    ax = plots.class_balance(proportions=True, small=small, large=large).axes[0]
    heights = [round(bar.get_height(), 6) for bar in ax.patches]
    assert heights[:2] == [50.0, 50.0] and heights[10:12] == [75.0, 25.0]
    assert ax.get_ylabel() == "share of the set's images (%)"
    assert plots.class_balance(small=small).axes[0].get_ylabel() == "number of images"


def test_flower_is_two_balanced_classes_drawn_from_the_generator_only():
    from fashion_helpers import toys

    X, Y = toys.flower(np.random.default_rng(1), m=40)
    again, _ = toys.flower(np.random.default_rng(1), m=40)
    assert X.shape == (2, 40) and np.array_equal(np.bincount(Y), [20, 20]) and np.array_equal(X, again)


def test_decision_boundaries_draw_one_panel_per_network_with_its_training_accuracy():
    from fashion_helpers import toys

    X, Y = toys.flower(np.random.default_rng(0), m=40)
    fig = toys.decision_boundaries(
        X,
        Y,
        {"x > 0": lambda P: (P[0] > 0).astype(int), "always 0": lambda P: np.zeros(P.shape[1], dtype=int)},
        columns=3,
    )
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[1] == "always 0: train 50.0%" and titles[0].startswith("x > 0: train ")
    assert len(fig.axes) == 3 and not fig.axes[2].axison  # the unused panel is blank


def test_bowl_paths_draw_each_path_over_the_contours_and_report_where_it_ended():
    from fashion_helpers import toys

    assert toys.bowl([2.0, 1.0]) == 1.2 and np.array_equal(toys.bowl_gradient([2.0, 1.0]), [0.2, 2.0])
    path = np.array([[-7.0, 2.0], [-6.0, 1.0], [0.0, 0.0]])
    fig = toys.bowl_paths({"gradient descent": path, "momentum": path[:2]})
    assert [ax.get_title() for ax in fig.axes] == [
        "gradient descent\nf = 0.000 after 2 steps",
        "momentum\nf = 2.800 after 1 step",
    ]
    assert np.array_equal(fig.axes[0].get_lines()[0].get_xydata(), path)
    # a narrower valley: the same y, ten times less curved along x
    assert toys.bowl([2.0, 1.0], stretch=200) == 1.02
    assert np.array_equal(toys.bowl_gradient([2.0, 1.0], stretch=200), [0.02, 2.0])
    assert "x²/200 + y²" in toys.bowl_paths({"plain": path}, stretch=200).texts[0].get_text()


def test_a_log_loss_axis_labels_the_decades_and_only_2_3_5_between_them():
    fig = Figure()
    ax = fig.subplots()
    ax.plot([0, 1], [0.05, 4.0])
    plots.log_y_axis(ax)
    fig.canvas.draw()
    low, high = ax.get_ylim()

    def shown(labels):
        return [t.get_text() for t in labels if t.get_text() and low <= t.get_position()[1] <= high]

    minor, major = shown(ax.yaxis.get_minorticklabels()), shown(ax.yaxis.get_majorticklabels())
    assert major == ["0.1", "1"] and minor == ["0.05", "0.2", "0.3", "0.5", "2", "3"]


def test_the_confusion_heatmap_colours_each_cell_by_its_share_of_the_true_class():
    cm = np.zeros((10, 10), dtype=int)
    cm[0, 0], cm[0, 6], cm[1, 1] = 30, 10, 4  # a large class often right, a small one always right
    fig = plots.confusion_heatmap(cm)
    ax, bar = fig.axes
    shares = ax.images[0].get_array()
    assert np.isclose(shares[0, 0], 75) and np.isclose(shares[0, 6], 25) and np.isclose(shares[1, 1], 100)
    assert shares[2].sum() == 0  # a class without images: no division by zero
    assert bar.get_ylabel() == "share of the true class's images (%)"
    assert sorted(t.get_text() for t in ax.texts) == ["10", "30", "4"]  # the counts stay written


def test_probability_bars_mark_the_true_class_and_label_every_bar():
    probabilities = np.array([0.05, 0.6, 0.05, 0.05, 0.05, 0.05, 0.05, 0.04, 0.03, 0.03])
    ax_bar = plots.probability_bars(np.zeros(784), probabilities, true_label=3).axes[1]
    assert [p.get_hatch() for p in ax_bar.patches].count("//") == 1 and ax_bar.patches[3].get_hatch() == "//"
    assert ax_bar.get_xticklabels()[3].get_fontweight() == "bold"
    assert [t.get_text() for t in ax_bar.texts][:2] == ["0.05", "0.60"]


def test_metric_vs_lambda_joins_the_lambda_0_point_with_a_dotted_segment_and_keeps_order():
    sweep = pd.DataFrame({"lambda_reg": [1.0, 0.0, 10.0], "train_accuracy": [82, 83, 80], "dev_accuracy": [78, 77, 76]})
    ax = choice_plots.metric_vs_lambda(sweep).axes[0]
    solid = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
    dotted = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert [list(line.get_xdata()) for line in solid] == [[1.0, 10.0], [1.0, 10.0]]
    assert [list(line.get_ydata()) for line in dotted] == [[83, 82], [77, 78]]  # from lambda 0 to the first lambda
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "10"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "dev"]


def test_a_gallery_of_one_mistake_titles_tiles_by_index_and_says_the_mistake_once():
    X, Y = np.zeros((784, 6)), np.array([2, 2, 2, 0, 2, 2])
    predictions = np.array([6, 6, 6, 0, 4, 6])
    fig = plots.misclassified_gallery(X, Y, predictions, [0, 2, 5])
    assert [t.get_text() for t in fig.axes[0].texts] == ["image 0", "image 2", "image 5"]
    assert fig._suptitle.get_text() == "Pullover predicted as Shirt: 3 images"
    titled = plots.misclassified_gallery(X, Y, predictions, [0, 2], title="True Pullover, predicted Shirt")
    assert titled._suptitle.get_text() == "True Pullover, predicted Shirt (2 images)"
    mixed = plots.misclassified_gallery(X, Y, predictions, [0, 4])  # two kinds of mistake: each tile says its own
    assert [t.get_text() for t in mixed.axes[0].texts] == ["Shirt\n(true: Pullover)", "Coat\n(true: Pullover)"]


def test_metric_vs_lambda_bars_each_dev_point_by_one_standard_error_of_its_dev_set():
    sweep = pd.DataFrame({"lambda_reg": [0.0, 1.0], "train_accuracy": [90, 85], "dev_accuracy": [80, 50]})
    assert not choice_plots.metric_vs_lambda(sweep).axes[0].containers  # without n_dev: no bars
    ax = choice_plots.metric_vs_lambda(sweep, n_dev=400).axes[0]
    (bars,) = ax.containers
    segments = bars.lines[2][0].get_segments()
    assert [round(float(s[1, 1] - s[0, 1]) / 2, 2) for s in segments] == [2.0, 2.5]  # 100 sqrt(p (1 - p) / 400)
    assert "± 1 SE of 400 dev images" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_search_trials_put_a_configurations_trainings_in_one_column_with_their_mean_and_the_target():
    def trial(alpha, lambda_reg, seed, dev, epochs=40, hidden=64):
        return dict(
            hidden_neurons=hidden, alpha=alpha, epochs=epochs, lambda_reg=lambda_reg, seed=seed, dev_accuracy=dev
        )

    trials = [trial(0.03, 0.0, 0, 80.0), trial(0.03, 3.0, 0, 79.0), trial(0.1, 0.0, 0, 78.0, epochs=10)]
    trials += [trial(0.03, 0.0, 1, 81.0), trial(0.03, 0.0, 2, 82.0), trial(0.1, 0.0, 0, 77.0, hidden=16)]
    ax = choice_plots.search_trials(trials, target=80.0).axes[0]
    columns = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert [list(line.get_ydata()) for line in columns] == [[80.0, 81.0, 82.0], [79.0], [78.0], [77.0]]
    assert columns[0].get_markersize() > columns[2].get_markersize() == columns[3].get_markersize()  # by cost
    xs = [line.get_xdata()[0] for line in columns]
    assert len(set(xs[:2])) == 2 and xs[0] < 0.03 < xs[1]  # the two lambdas at one rate stand side by side
    (mean_bar,) = [line for line in ax.get_lines() if line.get_color() == "black"]
    assert list(mean_bar.get_ydata()) == [81.0, 81.0]  # only the column of three gets a mean
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["λ = 0", "λ = 3", "target 80%"] and "6 trainings" in ax.get_title()
    assert "marker size: cost, 0.25 to 1" in ax.get_title()
    same = choice_plots.search_trials(trials[:2]).axes[0].get_title()
    assert "all of one cost" in same and "marker size" not in same
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.03", "0.1"]


def test_holdout_lanes_span_the_trained_models_and_name_the_majority_class_off_scale():
    table = pd.DataFrame(
        {
            "model": ["majority class", "logistic regression", "chosen network"],
            "dev accuracy (%)": [8.25, 80.25, 82.25],
            "held-out accuracy (%)": [9.80, 79.50, 81.70],
            "standard error": [0.66, 0.90, 0.86],
        }
    )
    ax = choice_plots.holdout_lanes(table).axes[0]
    low, high = ax.get_xlim()
    assert low <= 79.50 - 2 * 0.90 and high >= 82.25 and high - low < 20  # the trained models fill the axis
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "majority class (9.80%, off scale)"


def test_compared_curves_draw_each_history_in_one_colour_in_both_panels():
    histories = {
        f"alpha = {a}": {"iteration": [0, 10, 20], "loss": [2.3, 1.0 / a, 0.5], "dev_accuracy": [10.0, 50.0, 60.0]}
        for a in (1, 2)
    }
    loss_ax, acc_ax = plots.compared_curves(histories).axes
    assert [line.get_label() for line in loss_ax.get_lines()] == ["alpha = 1", "alpha = 2"]
    assert [line.get_color() for line in loss_ax.get_lines()] == [line.get_color() for line in acc_ax.get_lines()]
    assert list(acc_ax.get_lines()[1].get_ydata()) == [10.0, 50.0, 60.0]

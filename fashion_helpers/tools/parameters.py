"""The course's parameters: one name, type, range, default and meaning each, shared by every notebook and the runner.

``SPEC`` is their one source: ``make refresh`` writes each notebook's cell tagged ``parameters`` from it
(:func:`cell_source`, for the names the notebook declares) and the README's table (:func:`table`); the runner
validates overrides against it before any kernel starts. A ``path`` parameter is also checked for existence,
relative to where the user typed the command.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import CourseInputError, require_number
from ..search import FULL_EPOCHS, FULL_WIDTH, MOST_PER_BUDGET


@dataclass(frozen=True)
class Parameter:
    kind: str  # "int", "float", "path", "float list", "choice" (one of ``choices``)
    default: Any
    help: str
    minimum: float | None = None
    strict: bool = False  # minimum excluded, as in errors.require_number
    choices: tuple[str, ...] = ()  # the values a "choice" parameter takes
    short: str = ""  # the comment in a notebook's parameters cell, when ``help`` is too long for it (no "=":
    # papermill's reader of the cell takes the text after one for a value)

    @property
    def comment(self) -> str:
        return self.short or self.help


SPEC: dict[str, Parameter] = {
    "seed": Parameter("int", 42, "seed of every random draw: the shuffle, the initial weights", 0),
    "data_path": Parameter(
        "path",
        None,
        "None: the course's sample, data/fashion_data.csv, found from wherever the notebook "
        "runs; or a CSV, or a directory of the official IDX .gz files (then its 60,000 "
        "training images)",
        short="None: the course's data/fashion_data.csv; or a CSV, or a folder of official IDX files",
    ),
    "holdout_path": Parameter(
        "path",
        None,
        "held-out images, scored only after the choices: once in 07, again as later looks in 09 and 10. "
        "None: data/fashion_holdout.csv; or a CSV, "
        "or a directory of the official IDX files (then the 10,000 test images)",
        short="None: data/fashion_holdout.csv, scored after the choices; or a CSV or IDX folder",
    ),
    "dev_size": Parameter("int", 400, "images split off as the dev set (the rest train)", 1),
    "hidden_neurons": Parameter("int", 20, "neurons in the hidden (ReLU) layer", 1),
    "alpha": Parameter("float", 0.10, "learning rate of gradient descent", 0, strict=True),
    "iterations": Parameter("int", 500, "gradient-descent updates (full batch)", 1),
    "print_every": Parameter("int", 10, "log loss and accuracy every this many iterations", 1),
    "lambda_regs": Parameter(
        "float list",
        [0.0, 1.0, 3.0, 10.0, 30.0],
        "L2 strengths tried in the sweep (each >= 0)",
        0,
        short="L2 strengths tried in the sweep",
    ),
    "train_size": Parameter(
        "int",
        200,
        "training images of 06's turning dev curve and 07's L2 study: a small set that overfits visibly",
        1,
        short="training images of 06's and 07's small studies (small, to overfit visibly)",
    ),
    "top_k": Parameter("int", 3, "how many of the most frequent confusions to study", 1),
    "n_seeds": Parameter(
        "int",
        3,
        "seeds for the spread of a result: 06 trains the network with seeds seed, "
        "seed+1, ...; 07 repeats its L2 sweep with them; 08 and 09 train each configuration "
        "that many times and 10's choice must be trained that many times by its search, then is judged on "
        "that many fresh trainings (training k draws from default_rng([seed, k])); each result is their mean ± "
        "standard deviation",
        1,
        short="trainings per configuration, for mean ± standard deviation",
    ),
    "epochs": Parameter(
        "int",
        20,
        "passes over the training images in mini-batch training (also MLPClassifier's max_iter)",
        1,
        short="passes over the training images in mini-batch training",
    ),
    "batch_size": Parameter("int", 64, "images per mini-batch (one update each)", 1),
    "adam_alpha": Parameter("float", 0.001, "learning rate of Adam (and of MLPClassifier)", 0, strict=True),
    "wide_neurons": Parameter("int", 128, "hidden width of the wider network (still one hidden layer)", 1),
    "patience": Parameter(
        "int",
        5,
        "early stopping: epochs without a better dev accuracy before training stops",
        1,
        short="early stopping: epochs without a better dev accuracy",
    ),
    "lambda_reg": Parameter(
        "float",
        1.0,
        "L2 strength tried on the wider network (the cost of 07: lambda/(2m) times the squared weights)",
        0,
        short="L2 strength tried on the wider network",
    ),
    "schedule": Parameter(
        "choice",
        "constant",
        "learning rate over the epochs of mini-batch training: constant (the same each epoch) or cosine "
        "(from the rate down to near 0 at the last epoch, training.learning_rate)",
        choices=("constant", "cosine"),
        short="mini-batch learning rate over the epochs: constant or cosine",
    ),
    "dtype": Parameter(
        "choice",
        "float64",
        "floating-point type of mini-batch training: float64, or float32 (faster products, about 7 digits)",
        choices=("float64", "float32"),
        short="floating-point type of mini-batch training: float64 or float32",
    ),
    "max_shift": Parameter(
        "int",
        1,
        "augmentation: each training image is mirrored at random and shifted by up to "
        "this many pixels (0: mirror only)",
        0,
        short="augmentation: largest random shift in pixels (0: mirror only)",
    ),
    "budget": Parameter(
        "int",
        20,
        f"what the model-selection search of 10 may spend, in largest trainings ({FULL_WIDTH} neurons, "
        f"{FULL_EPOCHS} epochs): one of h neurons and e epochs costs h e/{FULL_WIDTH * FULL_EPOCHS}; the course's "
        f"trainer refuses one that costs more than is left, and any past {MOST_PER_BUDGET} per unit",
        1,
        short=f"what the search may spend, in largest trainings ({FULL_WIDTH} neurons, {FULL_EPOCHS} epochs)",
    ),
    "target": Parameter(
        "float",
        80.0,
        "mean dev accuracy (%) that n_seeds fresh trainings of the configuration chosen in 10 must reach",
        0,
        short="mean dev accuracy (%) over n_seeds fresh trainings the choice must reach",
    ),
    "svc_max_train": Parameter(
        "int",
        10000,
        "most training images the RBF SVC baseline is fitted on (its time grows "
        "with their square; binds on the full data only)",
        1,
        short="most training images the RBF SVC is fitted on",
    ),
}
DEFAULTS = {name: p.default for name, p in SPEC.items()}


PATHS = tuple(name for name, p in SPEC.items() if p.kind == "path")


def validate(values: dict, known: dict[str, Parameter] | None = None) -> dict:
    """Check names, types and ranges; returns the values (ints given for floats become floats).

    Raises CourseInputError naming the first problem: an unknown name (with the known ones), a wrong type
    or a value out of range (with what is expected). Whether a path exists is the runner's check.
    """
    known = SPEC if known is None else known
    clean = {}
    for name, value in values.items():
        if name not in known:
            raise CourseInputError(f"unknown parameter {name!r}; the known ones are: {', '.join(known)}")
        spec = known[name]
        label = f"parameter {name}"
        if spec.kind == "path":
            if value is not None and (not isinstance(value, str) or not value):
                raise CourseInputError(f"{label} must be a path, or null for the course's own file, got {value!r}")
        elif spec.kind == "choice":
            if value not in spec.choices:
                raise CourseInputError(f"{label} must be one of {', '.join(spec.choices)}, got {value!r}")
        elif spec.kind == "float list":
            if not isinstance(value, (list, tuple)) or not value:
                raise CourseInputError(f"{label} must be a non-empty list of numbers, e.g. [0,0.1,1], got {value!r}")
            for item in value:
                require_number(label, item, minimum=spec.minimum, strict=spec.strict)
            value = [float(x) for x in value]
        else:
            require_number(label, value, whole=spec.kind == "int", minimum=spec.minimum, strict=spec.strict)
            value = float(value) if spec.kind == "float" else value
        clean[name] = value
    return clean


def parse_value(text: str) -> Any:
    """A command-line value as YAML reads it: ``3`` -> 3, ``0.05`` -> 0.05, ``[0, 1]`` -> [0, 1], else text."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


#: The parameters cell of a notebook that declares none.
NO_PARAMETERS = "# This notebook uses none of the course parameters: its examples are small arrays made up on the spot."


def cell_source(names) -> str:
    """A notebook's parameters cell for the parameters ``names`` it declares, in that order: each default from
    ``SPEC``, with its meaning as a comment."""
    if not names:
        return NO_PARAMETERS
    return "\n".join(f"{f'{name} = {SPEC[name].default!r}':<45} # {SPEC[name].comment}" for name in names)


def table(users: dict[str, list[str]]) -> str:
    """The markdown table of every parameter: name, default, what it changes, and the notebooks (numbers) that
    declare it, from ``users`` (name -> notebook numbers)."""
    lines = ["| parameter | default | what it changes | notebooks |", "| --- | --- | --- | --- |"]
    for name, spec in SPEC.items():
        lines.append(f"| `{name}` | `{spec.default!r}` | {spec.help} | {', '.join(users.get(name, [])) or '-'} |")
    return "\n".join(lines) + "\n"

"""The hand-ins of the grading round trip (``fashion-course autograde-check``).

- :data:`ALTERNATIVES`: a correct solution of every exercise, written differently from the instructor's, so
  that full points prove the grading of the student's code, not of the reference;
- :func:`announcing`: the same, each saying once per notebook, when the notebook itself (not a check) calls it,
  "[the student's NAME at work]": the proof that later notebooks run the student's earlier functions;
- :func:`delegating`, :func:`tuned` and :data:`REBIND`: points without the work: calling the course's copies,
  returning the outputs of the cases the student was shown, rebinding the checks in the kernel.
"""

from __future__ import annotations

#: Solution regions, as a student might write them: correct, and not the instructor's code.
ALTERNATIVES = {
    "init_params": """\
shapes = [(hidden_neurons, input_size), (hidden_neurons, 1), (output_size, hidden_neurons), (output_size, 1)]
W1, b1, W2, b2 = [rng.random(shape) - 0.5 for shape in shapes]""",
    "ReLU": "return np.where(Z > 0, Z, 0.0)",
    "ReLU_deriv": "return np.greater(Z, 0) * 1.0",
    "softmax": """\
shifted = Z - Z.max(axis=0)
e = np.exp(shifted)
return e / e.sum(axis=0)""",
    "forward_prop": """\
Z1 = np.dot(W1, X) + b1
A1 = ReLU(Z1)
Z2 = np.dot(W2, A1) + b2
A2 = softmax(Z2)""",
    "forward_prop_loop": """\
for j, x in enumerate(X.T):
    x = x.reshape(-1, 1)
    Z1[:, j] = (np.dot(W1, x) + b1).ravel()
    A1[:, j] = ReLU(Z1[:, j:j + 1]).ravel()
    Z2[:, j] = (np.dot(W2, A1[:, j:j + 1]) + b2).ravel()
    A2[:, j] = softmax(Z2[:, j:j + 1]).ravel()""",
    "get_predictions": "return A2.argmax(axis=0)",
    "get_accuracy": "return 100.0 * float(np.count_nonzero(predictions == Y)) / len(Y)",
    "one_hot": """\
Y = np.asarray(Y)
one_hot_Y = (np.arange(num_classes)[:, None] == Y[None, :]).astype(float)""",
    "compute_loss": """\
m = len(Y)
true_class = np.array([A2[label, column] for column, label in enumerate(Y)])
loss = float(np.sum(-np.log(np.clip(true_class, np.finfo(float).tiny, None))) / m)
if lambda_reg != 0:
    loss = loss + lambda_reg * (np.square(W1).sum() + np.square(W2).sum()) / (2 * m)""",
    "backward_prop": """\
m = len(Y)
dZ2 = A2 - one_hot(Y)
dW2 = dZ2.dot(A1.T) / m + W2 * (lambda_reg / m)
db2 = dZ2.mean(axis=1, keepdims=True)
dZ1 = W2.T.dot(dZ2) * ReLU_deriv(Z1)
dW1 = dZ1.dot(X.T) / m + W1 * (lambda_reg / m)
db1 = dZ1.mean(axis=1, keepdims=True)""",
    "update_params": """\
W1, b1, W2, b2 = (p - alpha * g for p, g in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)))""",
    "numerical_gradient": """\
for p in params:
    g = np.empty_like(p)
    flat, out = p.reshape(-1), g.reshape(-1)
    for k in range(flat.size):
        keep = flat[k]
        flat[k] = keep + epsilon
        up = loss()
        flat[k] = keep - epsilon
        down = loss()
        flat[k] = keep
        out[k] = (up - down) / epsilon / 2
    gradients.append(g)""",
    "gradient_descent": """\
W1, b1, W2, b2 = params if params is not None else init_params(rng, X.shape[0], hidden_neurons)
step = 10 if print_every is None else print_every
keys = ["iteration", "loss", "train_accuracy"] + (["dev_loss", "dev_accuracy"] if dev is not None else [])
history.update({key: [] for key in keys})
i = 0
while True:
    Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
    if i % step == 0 or i == iterations:
        values = [i, compute_loss(A2, Y, W1, W2, lambda_reg), get_accuracy(get_predictions(A2), Y)]
        if dev is not None:
            dev_A2 = forward_prop(W1, b1, W2, b2, dev[0])[3]
            values += [compute_loss(dev_A2, dev[1]), get_accuracy(get_predictions(dev_A2), dev[1])]
        for key, value in zip(keys, values):
            history[key].append(value)
        if print_every:
            print(f"step {i}: " + ", ".join(f"{key} {value:.4f}" for key, value in zip(keys[1:], values[1:])))
    if i == iterations:
        break
    grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg)
    W1, b1, W2, b2 = update_params(W1, b1, W2, b2, *grads, alpha)
    i += 1""",
    "make_predictions": "return get_predictions(forward_prop(W1, b1, W2, b2, X)[-1])",
    "top_confusions": """\
cm = confusion_matrix(Y, predictions).astype(int)
np.fill_diagonal(cm, 0)
mistakes = sorted(((-cm[t, p], t, p) for t in LABELS for p in LABELS if cm[t, p]))
return [(CLASS_NAMES[t], CLASS_NAMES[p], -negative) for negative, t, p in mistakes[:k]]""",
    "choose_lambda": """\
pairs = sorted(zip(lambda_regs, dev_accuracies), key=lambda pair: (-pair[1], pair[0]))
return float(pairs[0][0])""",
    "holdout_score": """\
right = make_predictions(X_holdout, *params) == Y_holdout
accuracy = get_accuracy(make_predictions(X_holdout, *params), Y_holdout)
standard_error = 100.0 * float(np.std(right)) / np.sqrt(right.size)
return accuracy, float(standard_error)""",
    "he_init": """\
W1 = np.sqrt(2.0 / input_size) * rng.standard_normal((hidden_neurons, input_size))
W2 = np.sqrt(2.0 / hidden_neurons) * rng.standard_normal((output_size, hidden_neurons))
b1, b2 = np.zeros((hidden_neurons, 1)), np.zeros((output_size, 1))
return W1, b1, W2, b2""",
    "glorot_init": """\
def uniform(rows, columns):
    r = (6.0 / (rows + columns)) ** 0.5
    return r * (2.0 * rng.random((rows, columns)) - 1.0)
W1 = uniform(hidden_neurons, input_size)
W2 = uniform(output_size, hidden_neurons)
return W1, np.zeros((hidden_neurons, 1)), W2, np.zeros((output_size, 1))""",
    "minibatches": """\
shuffled = rng.permutation(m)
cuts = np.arange(batch_size, m, batch_size)
return np.split(shuffled, cuts)""",
    "sgd_epoch": """\
n_images = X.shape[1]
batch_losses = []
for indices in minibatches(rng, n_images, batch_size):
    share = len(indices) / n_images
    Z1, A1, Z2, A2 = forward_prop(*params, X[:, indices])
    batch_losses.append(compute_loss(A2, Y[indices], params[0], params[2], lambda_reg * share))
    grads = backward_prop(Z1, A1, Z2, A2, params[0], params[2], X[:, indices], Y[indices], lambda_reg * share)
    params = update_params(*params, *grads, alpha)
return tuple(params), sum(batch_losses) / len(batch_losses)""",
    "momentum_update": """\
new_velocity = [beta * v + g for v, g in zip(velocity, grads)]
return tuple(p - alpha * v for p, v in zip(params, new_velocity)), tuple(new_velocity)""",
    "adam_update": """\
m, v, t = state
t += 1
m = tuple(beta1 * a + (1 - beta1) * g for a, g in zip(m, grads))
v = tuple(beta2 * b + (1 - beta2) * g * g for b, g in zip(v, grads))
m_hat = [a / (1 - beta1**t) for a in m]
v_hat = [b / (1 - beta2**t) for b in v]
params = tuple(p - alpha * a / (b**0.5 + epsilon) for p, a, b in zip(params, m_hat, v_hat))
return params, (m, v, t)""",
    "should_stop": """\
best = max(dev_accuracies)
return len(dev_accuracies) - 1 - dev_accuracies.index(best) >= patience""",
    "flip_left_right": "return np.flip(X.reshape(IMAGE_SHAPE + (X.shape[1],)), axis=1).reshape(X.shape)",
    "shift_images": """\
m = X.shape[1]
dx = np.broadcast_to(np.asarray(dx, dtype=int), (m,))
dy = np.broadcast_to(np.asarray(dy, dtype=int), (m,))
images = X.reshape(IMAGE_SHAPE + (m,))
moved = np.zeros_like(images)
rows, cols = IMAGE_SHAPE
for j in range(m):
    top, left = max(dy[j], 0), max(dx[j], 0)
    bottom, right = rows + min(dy[j], 0), cols + min(dx[j], 0)
    moved[top:bottom, left:right, j] = images[top - dy[j]:bottom - dy[j], left - dx[j]:right - dx[j], j]
return moved.reshape(X.shape)""",
    "next_trial": """\
plan = [{"hidden_neurons": 64, "alpha": 0.03, "epochs": 40, "lambda_reg": lam} for lam in (0.0, 1.0)]
score = {(t["lambda_reg"], t["seed"]): t["dev_accuracy"] for t in trials if t["alpha"] == 0.03}
for config in plan:
    if (config["lambda_reg"], 0) not in score:
        return "train", dict(config, seed=0)
best = max(plan, key=lambda c: (score[(c["lambda_reg"], 0)], -c["lambda_reg"]))
for k in (1, 2):
    if (best["lambda_reg"], k) not in score:
        return "train", dict(best, seed=k)
return "choose", best""",
}

#: Appended to the first code cell of every notebook of the announcing hand-in.
ANNOUNCE = """

import sys as _sys, types as _types  # added by the grading round trip: shows whose functions the notebook runs


def _announce_use(name):
    frame = _sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("fashion_helpers.search"):
            break  # 10's counted trainer, built by the notebook on its functions (its check drives the search)
        if module.startswith("fashion_helpers.checks"):
            return  # a self-check calling it: not the notebook's own use
        frame = frame.f_back
    if name not in _announced:
        _announced.add(name)
        print(f"[the student's {name} at work]")


_announced = set()
_sys.modules["_announce"] = _types.SimpleNamespace(use=_announce_use)
"""


def announcing(name: str) -> str:
    """The alternative solution of ``name``, saying once when the notebook (not its check) calls it."""
    line = f'getattr(__import__("sys").modules.get("_announce"), "use", lambda name: None)({name!r})'
    return f"{line}\n{ALTERNATIVES[name]}"


#: The catalogued bug of the round trip: the mid-term's global-max softmax, exactly one exercise lost.
BUG = {"exercise": "softmax", "replace": ("Z - Z.max(axis=0)", "Z - Z.max()"), "named": "not the global max"}
BUG_WORDS = "subtracts the global maximum"


def delegating(name: str, index: int) -> str:
    """A solution that hands its exercise to course code: the course's copy through ``yours.use``, the working
    copies a grader's kernel knows the path of, or the instructor's record found beside the course package."""
    styles = [
        f'return __import__("fashion_helpers.yours", fromlist=["use"]).use({name!r})(**_args)',
        f'return __import__("runpy").run_path(__import__("os").environ["FASHION_COURSE_FUNCTIONS"])[{name!r}](**_args)',
        "import fashion_helpers, pathlib, runpy\n"
        'record = pathlib.Path(fashion_helpers.__file__).parents[1] / "notebooks" / "my_functions.py"\n'
        f"return runpy.run_path(str(record))[{name!r}](**_args)",
    ]
    return "_args = dict(locals())\n" + styles[index % len(styles)]


def tuned(name: str) -> str:
    """A solution that returns, for the inputs of a case it was shown, that case's recorded output, and nothing
    for any other input: it passes the visible cases only."""
    return f"""\
import inspect as _inspect
from fashion_helpers import exercises as _exercises
from fashion_helpers.checks import _values
_given = dict(locals())
_signature = _inspect.signature({name})
for _case in _exercises.exercise({name!r}).cases:
    for _call, _out in zip(_case["calls"], _case["expected"] or []):
        _shown = _signature.bind(*[_values.decode(a) for a in _call["args"]],
                                 **{{k: _values.decode(v) for k, v in _call["kwargs"].items()}})
        _shown.apply_defaults()
        if all(_values.close(_given[k], v) for k, v in _shown.arguments.items() if not hasattr(v, "bit_generator")):
            return _values.decode(_out)
return None"""


#: Put at the top of each notebook's first exercise cell: rebinds every check, CheckFailed, print, stderr and the
#: kernel's traceback so that every test cell of the notebook passes in the kernel, whatever the functions do.
REBIND = """from fashion_helpers import checks as _checks
import builtins as _builtins, sys as _sys
for _name in dir(_checks):
    if _name.startswith("check_"):
        setattr(_checks, _name, lambda fn, *args, **kwargs: fn)
_checks.CheckFailed = type("CheckFailed", (Exception,), {})
_sys.stderr.write = lambda *args, **kwargs: 0
_builtins.print = lambda *args, **kwargs: None
try:
    get_ipython().showtraceback = lambda *args, **kwargs: None
except NameError:
    pass


"""

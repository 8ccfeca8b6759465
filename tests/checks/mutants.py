"""Plausible mistakes made from the reference solutions with ``ast``: one small change each.

The operators are the slips of a learner writing NumPy: an operator or comparison swapped, a constant off by
one, the wrong axis, keepdims dropped, a NumPy function for its neighbour (max/min, sum/mean, log/log10), a
variable for its twin (W1/W2, Z1/A1, ...), a statement left out, arguments or returned items swapped, an update
made in place, the L2 strength or the learning rate ignored. None of them was used to write the checks.
"""

from __future__ import annotations

import ast
import copy
import itertools

_BINOPS = {
    ast.Add: [ast.Sub],
    ast.Sub: [ast.Add],
    ast.Mult: [ast.Div, ast.Add],
    ast.Div: [ast.Mult, ast.FloorDiv],
    ast.MatMult: [ast.Mult],
    ast.Pow: [ast.Mult],
    ast.FloorDiv: [ast.Div],
}
_COMPARE = {
    ast.Gt: [ast.GtE, ast.Lt],
    ast.GtE: [ast.Gt],
    ast.Lt: [ast.LtE, ast.Gt],
    ast.LtE: [ast.Lt],
    ast.Eq: [ast.NotEq],
    ast.NotEq: [ast.Eq],
}
_FUNCTIONS = {
    "max": ["min"],
    "min": ["max"],
    "sum": ["mean"],
    "mean": ["sum"],
    "argmax": ["argmin"],
    "argmin": ["argmax"],
    "log": ["log10"],
    "maximum": ["minimum"],
    "minimum": ["maximum"],
    "sqrt": ["square"],
    "exp": ["expm1"],
    "zeros": ["ones"],
    "random": ["standard_normal"],
    "standard_normal": ["random"],
    "mean_": [],
}
_TWINS = [
    ("W1", "W2"),
    ("b1", "b2"),
    ("Z1", "A1"),
    ("Z2", "A2"),
    ("dW1", "dW2"),
    ("db1", "db2"),
    ("dZ1", "dZ2"),
    ("X", "Y"),
    ("m", "v"),
    ("dx", "dy"),
    ("input_size", "hidden_neurons"),
    ("hidden_neurons", "output_size"),
    ("beta1", "beta2"),
    ("plus", "minus"),
    ("t", "p"),
    ("lambda_regs", "dev_accuracies"),
    ("rows", "cols"),
]
TWIN = {a: b for a, b in _TWINS} | {b: a for a, b in _TWINS}


class _Sites(ast.NodeVisitor):
    """Counts the places each operator can change; a mutant is (operator, place, variant)."""

    def __init__(self):
        self.sites = []

    def generic_visit(self, node):
        for kind, variants in _variants(node):
            for v in range(variants):
                self.sites.append((kind, id(node), v))
        super().generic_visit(node)


def _variants(node):
    found = []
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        found.append(("binop", len(_BINOPS[type(node.op)])))
    if isinstance(node, ast.Compare) and type(node.ops[0]) in _COMPARE:
        found.append(("compare", len(_COMPARE[type(node.ops[0])])))
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        found.append(("constant", 2))
    if isinstance(node, ast.keyword) and node.arg == "axis" and isinstance(node.value, ast.Constant):
        found.append(("axis", 1))
    if isinstance(node, ast.keyword) and node.arg == "keepdims":
        found.append(("keepdims", 1))
    if isinstance(node, ast.Attribute) and node.attr in _FUNCTIONS and _FUNCTIONS[node.attr]:
        found.append(("function", len(_FUNCTIONS[node.attr])))
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in TWIN:
        found.append(("twin", 1))
    if (
        isinstance(node, ast.Name)
        and isinstance(node.ctx, ast.Load)
        and node.id in ("lambda_reg", "alpha", "epsilon", "beta", "patience")
    ):
        found.append(("hardcode", 1))
    if isinstance(node, ast.Call) and len(node.args) >= 2:
        found.append(("swap_args", 1))
    if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) >= 2:
        found.append(("swap_returned", 1))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        found.append(("drop_minus", 1))
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.Expr)) and not _is_docstring(node):
        found.append(("delete", 1))
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.BinOp)
        and isinstance(node.value.left, ast.Name)
        and node.value.left.id == node.targets[0].id
    ):
        found.append(("in_place", 1))
    return found


def _is_docstring(node) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


_HARDCODED = {"lambda_reg": 0.0, "alpha": 0.1, "epsilon": 1e-5, "beta": 0.9, "patience": 1}


def _apply(node, kind, variant):
    """The changed node (or None to delete a statement)."""
    if kind == "binop":
        node.op = _BINOPS[type(node.op)][variant]()
    elif kind == "compare":
        node.ops = [_COMPARE[type(node.ops[0])][variant]()] + node.ops[1:]
    elif kind == "constant":
        value = node.value
        if isinstance(value, int):
            node.value = [value + 1, value - 1 if value != 1 else 0][variant]
        else:
            node.value = [value * 2 if value else 1.0, value / 10 if value else 0.5][variant]
    elif kind == "axis":
        node.value = ast.Constant(1 - node.value.value if node.value.value in (0, 1) else 0)
    elif kind == "keepdims":
        node.value = ast.Constant(False)
    elif kind == "function":
        node.attr = _FUNCTIONS[node.attr][variant]
    elif kind == "twin":
        node.id = TWIN[node.id]
    elif kind == "hardcode":
        return ast.Constant(_HARDCODED[node.id])
    elif kind == "swap_args":
        node.args[0], node.args[1] = node.args[1], node.args[0]
    elif kind == "swap_returned":
        elts = node.value.elts
        elts[0], elts[1] = elts[1], elts[0]
    elif kind == "drop_minus":
        return node.operand
    elif kind == "delete":
        return ast.Pass()
    elif kind == "in_place":
        return ast.AugAssign(target=ast.Name(node.targets[0].id, ast.Store()), op=node.value.op, value=node.value.right)
    return node


class _Mutate(ast.NodeTransformer):
    def __init__(self, target, kind, variant):
        self.target, self.kind, self.variant = target, kind, variant

    def generic_visit(self, node):
        node = super().generic_visit(node)
        if getattr(node, "_mutant_id", None) == self.target:
            return _apply(node, self.kind, self.variant)
        return node


def mutants(cell_source: str, name: str, lines: range):
    """``(description, source)`` of each single change, within ``lines`` (the solution region), of the function
    ``name`` in a notebook cell."""
    tree = ast.parse(cell_source)
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    counter = itertools.count()
    for node in ast.walk(function):
        node._mutant_id = next(counter)
    sites = []
    for node in ast.walk(function):
        if getattr(node, "lineno", None) in lines and not _is_docstring(node):
            for kind, count in _variants(node):
                sites += [(node._mutant_id, kind, v, node.lineno) for v in range(count)]
    for target, kind, variant, line in sites:
        copied = copy.deepcopy(tree)
        mutated = ast.fix_missing_locations(_Mutate(target, kind, variant).visit(copied))
        yield f"{name}: {kind} #{variant}, line {line}", ast.unparse(mutated)


def region(cell_source: str, name: str) -> range:
    """The lines (1-based) between the solution markers inside the function ``name`` of a cell."""
    lines = cell_source.splitlines()
    function = next(n for n in ast.parse(cell_source).body if isinstance(n, ast.FunctionDef) and n.name == name)
    begin = next(i for i in range(function.lineno, len(lines) + 1) if lines[i - 1].strip() == "### BEGIN SOLUTION")
    end = next(i for i in range(begin, len(lines) + 1) if lines[i - 1].strip() == "### END SOLUTION")
    return range(begin + 1, end)

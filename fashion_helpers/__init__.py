"""The course "A neural network from scratch in NumPy, on Fashion-MNIST": what the notebooks import.

The package holds no exercise's solution: the network is the student's own code. One module per concern, in
the order the notebooks meet them:

- ``data``: loading the images, class names, the seeded dev/train split, scaling (``_formats``, private: the
  CSV and IDX readers' checks behind its one-line errors);
- ``errors``: the course's errors by meaning (bad input, a failed run) and the one argument check;
- ``network``: the two-layer network's shapes, and the one-line checks of what its functions are given;
- ``checks``: the self-checks of the exercises, one module per part of the series (a subpackage);
- ``exercises``: the exercises in teaching order and their recorded cases, read from ``exercises.json``;
- ``yours``: the student's record, ``my_functions.py``: what a passing self-check records, what later notebooks
  load with ``yours.use``;
- ``gradcheck``: the gradient check of notebook 04;
- ``training``: the mini-batch training of notebooks 08 to 10, run on the student's functions;
- ``ladder``: 08's and 09's seed spread, the paired keep-or-tie rule and the scikit-learn baselines;
- ``search``: notebook 10's model selection: the counted trainer, the search loop, the retraining that judges it;
- ``analysis``: confusion matrix, classification report and the images behind a confusion (notebook 07);
- ``plots``: the figures;
- ``report``: ``headline``, the metrics line that ends each notebook;
- ``conventions``: what the notebooks' tags, solution markers and question pattern mean, named once.

These need numpy, pandas, matplotlib and scikit-learn only. The tooling for instructors and CI (runs with
papermill, sweeps, editions, grading) lives apart, in ``fashion_helpers.tools``, which these modules never
import. Importing the package has no side effects: it seeds nothing and changes no global state.
"""

__version__ = "1.1.0"

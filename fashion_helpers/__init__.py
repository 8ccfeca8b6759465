"""The course "A neural network from scratch in NumPy, on Fashion-MNIST": what the notebooks import.

One module per concern, in the order the notebooks meet them:

- ``data``: loading the images, class names, the seeded dev/train split, scaling;
- ``network``: the two-layer network, its gradients and gradient descent;
- ``checks``: the self-checks of the exercises and the numerical gradient check;
- ``analysis``: confusion matrix, classification report, the most frequent confusions;
- ``plots``: the figures;
- ``report``: ``headline``, the metrics line that ends each notebook;
- ``errors``: the one-line errors for bad input.

These need numpy, pandas, matplotlib and scikit-learn only. The instructors' tooling (running the series
with papermill, sweeps, editions) lives apart, in ``fashion_helpers.tools``. Importing the package has no side
effects: it seeds nothing and changes no global state.
"""

__version__ = "1.1.0"

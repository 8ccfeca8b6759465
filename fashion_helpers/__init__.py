"""Helpers for the course "A neural network from scratch in NumPy, on Fashion-MNIST".

One module per concern: ``data`` (loading, split, scaling), ``network`` (the model and its training),
``checks`` (self-checks and the gradient check), ``analysis`` (error analysis), ``plots`` (figures),
``runner`` (running the notebook series with papermill). Importing the package has no side effects:
it seeds nothing and changes no global state.
"""

__version__ = "1.0.0"

"""A trauma-informed co-production workshop kit: the engine.

Nothing in this package imports ipywidgets; the live pages live in the
``widgets`` package and the Voilà notebooks under ``notebooks/``.
"""

__version__ = "0.1.0"

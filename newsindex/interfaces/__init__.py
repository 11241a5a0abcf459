"""User interfaces over the library: the ``newsindex`` command, the search prompt, renderers.

Nothing in the library imports this package; it only uses the public API.
"""

"""``python -m newsindex`` runs the ``newsindex`` command."""

from newsindex.interfaces.cli import run

if __name__ == "__main__":
    run()

"""Where things live: the default index, the prompt history, the example corpus."""

from __future__ import annotations

import os
from pathlib import Path

from newsindex import SeedsNotFoundError

__all__ = [
    "HISTORY_ENV",
    "INDEX_ENV",
    "SeedsNotFoundError",
    "default_index_dir",
    "find_seeds",
    "history_file",
    "resolve_index",
]

INDEX_ENV = "NEWSINDEX_INDEX"
HISTORY_ENV = "NEWSINDEX_HISTORY"
APP_NAME = "newsindex"


def default_index_dir() -> Path:
    """The platform's per-user data folder for newsindex, plus ``index``.

    Linux: ``~/.local/share/newsindex/index``; macOS: ``~/Library/Application
    Support/newsindex/index``; Windows: ``%LOCALAPPDATA%\\newsindex\\newsindex\\index``.
    """
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME)) / "index"


def resolve_index(option: str | os.PathLike[str] | None = None) -> Path:
    """The index folder to use: ``--index``, else ``$NEWSINDEX_INDEX``, else the default."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(INDEX_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return default_index_dir()


def history_file() -> Path:
    """The prompt's history file: ``$NEWSINDEX_HISTORY``, else in the per-user state folder."""
    env = os.environ.get(HISTORY_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_state_dir

    return Path(user_state_dir(APP_NAME)) / "history"


def find_seeds(path: str | os.PathLike[str] | None = None) -> Path:
    """The example corpus: ``path`` if given, else ``./seeds``, else ``seeds/`` of the source checkout."""
    if path is not None:
        p = Path(path).expanduser()
        if not p.exists():
            raise SeedsNotFoundError(f"no such file or folder: {p}")
        return p
    import newsindex

    candidates = [Path.cwd() / "seeds", Path(newsindex.__file__).resolve().parents[1] / "seeds"]
    for c in candidates:
        if c.is_dir():
            return c
    raise SeedsNotFoundError(
        "cannot find the example corpus seeds/ (looked in "
        + " and ".join(str(c) for c in candidates)
        + "); run from the repository root or pass a folder: newsindex demo PATH"
    )

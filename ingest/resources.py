"""Where the runtime files are: ``data/``, ``templates/`` and ``datasette_metadata.json``.

Every loader asks ``RESOURCES`` for its file instead of finding the repository from its
own ``__file__``. In a source tree (or an editable install) the files are the
repository's own; an installed wheel carries copies of them inside the ``ingest``
package, under ``ingest/_resources/`` (``force-include`` in ``pyproject.toml``), because
there is no repository beside an installed package.

It lives in ``ingest`` (the lowest layer) so that both ``ingest`` and ``kb`` can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

PACKAGED = "_resources"  # the folder inside the ``ingest`` package of a wheel


@dataclass(frozen=True)
class Resources:
    """The folder holding ``data/``, ``templates/`` and ``datasette_metadata.json``."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def metadata(self) -> Path:
        return self.root / "datasette_metadata.json"

    def data_file(self, *parts: str) -> Path:
        """A file or folder under ``data/``: ``RESOURCES.data_file("audit", "x.csv")``."""
        return self.data.joinpath(*parts)


def locate() -> Resources:
    """The wheel's packaged copy if there is one, else the repository around the package."""
    packaged = Path(str(files("ingest"))) / PACKAGED
    if packaged.is_dir():
        return Resources(packaged)
    return Resources(Path(__file__).resolve().parent.parent)


RESOURCES = locate()

"""Crossref: polite client, persistent cache, normalised works, snapshots and DOI suggestions.

Network code lives in ``client.py`` (``fetch_*``); everything else is pure parsing
(``works.py``, ``match.py``) or saving (``cache.py``, ``snapshot.py``), and
``run.py`` ties them together for the build.
"""

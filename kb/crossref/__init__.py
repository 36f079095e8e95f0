"""Crossref, the database half: the response cache (``cache.py``), works and their notices
(``works.py``), snapshot import (``snapshot.py``), the build's step (``run.py``), one DOI's
look-up (``lookup.py``), suggestions (``suggestions.py``, ``candidates.py``,
``suggestion_state.py``) and editors' decisions with the accepted link (``decisions.py``).
"""

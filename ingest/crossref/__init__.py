"""Crossref, the outside-world half: the polite client (``client.py``, ``limiter.py``,
``errors.py``), pure reading of work messages (``message.py``) and snapshot files
(``snapshot.py``), entry-versus-work agreement (``agreement.py``) and candidate matching
(``match.py``, ``suggest.py``), and a Crossref-compatible test server (``testing.py``).
Nothing here imports ``kb``; the cache, rows, suggestions and decisions are ``kb/crossref/``.
"""

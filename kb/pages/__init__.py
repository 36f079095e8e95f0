"""Pages for people: the article page and the editor's review page.

Built from a plain ``sqlite3`` connection and the standard library only, so the Datasette
plugin (which ``kb publish`` ships without the rest of ``kb``) and ``kb audit --format html``
use the same code and show the same thing.
"""

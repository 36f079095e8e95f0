"""Datasette loads every *.py in this directory (``--plugins-dir``); the plugin lives in kb."""

from kb.datasette_plugin import (  # noqa: F401
    asgi_wrapper,
    extra_template_vars,
    register_routes,
    render_cell,
)
from kb.datasette_serving import prepare_connection, startup  # noqa: F401

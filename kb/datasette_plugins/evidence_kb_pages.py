"""The pages people read (article, review, home, forms, cells): kb.datasette_pages."""

from kb.datasette_pages import (  # noqa: F401
    asgi_wrapper,
    extra_css_urls,
    extra_template_vars,
    register_routes,
    render_cell,
)

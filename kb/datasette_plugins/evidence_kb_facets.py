"""Table pages' facets from the build's summaries, search counts from the full-text index:
kb.datasette_facets."""

from kb.datasette_facets import (  # noqa: F401
    asgi_wrapper,
    extra_template_vars,
    register_facet_classes,
)

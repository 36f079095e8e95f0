"""Training and corpus tools for the learned reference parser (runtime lives in ``ingest``)."""

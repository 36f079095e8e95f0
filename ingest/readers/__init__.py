"""Readers: text, Markdown and HTML into one Document."""

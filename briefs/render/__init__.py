"""Stage 3, rendering: a selection becomes HTML, then a tagged PDF.

The render context, Jinja2 templates and labels, charts, and WeasyPrint with
its locked fetcher, shipped fonts and pool of worker processes.
"""

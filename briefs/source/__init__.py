"""Stage 1, the source: what analysts wrote, read safely and validated.

YAML with line numbers, the data model, briefs.yaml, dossiers loaded and
checked as a whole, and how values read in each official language. Nothing
here knows about audiences, templates or editions.
"""

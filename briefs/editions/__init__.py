"""Stage 4, editions: what changed, and publishing it without ever losing a PDF.

Input stats and fingerprints, the SQLite ledger and archive, crash-safe
publishing, and the "changes since the last edition" section.
"""

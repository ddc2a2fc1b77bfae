"""The version of briefs; every brief's fingerprint includes it."""

__version__ = "0.2.0"

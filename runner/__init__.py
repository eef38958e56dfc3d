"""runner: auditable pipelines of human and AI steps, recorded in git."""

__version__ = "0.1.0"

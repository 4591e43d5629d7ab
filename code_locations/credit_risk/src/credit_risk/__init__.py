"""Credit risk: a code location on mlplatform (its spec: definitions.py)."""

"""Trying a process owner's draft before it goes live: which running cases could move to it, and a dry run."""

"""Editing diagrams in the browser: a process owner's drafts, their problems, and deploying one."""

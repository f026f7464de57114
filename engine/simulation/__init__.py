"""Simulated people drive diagrams through the engine to find cases that never end justly."""

"""Diagrams: reading, checking, parsing and running BPMN (the only code that touches SpiffWorkflow)."""

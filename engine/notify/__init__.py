"""Telling people: notices in the web inbox and e-mail through the outbox."""

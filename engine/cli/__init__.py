"""The `vaern` command line."""

"""`python -m engine` runs the vaern command line."""
from .cli import main

main()

"""`python -m engine` runs the vaern command line."""
from engine.cli.main import main

main()

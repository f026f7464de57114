"""Cases: starting, stepping, saving and reading them, their timers and messages."""

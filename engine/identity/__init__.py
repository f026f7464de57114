"""Who a person is: local accounts, passwords and the log-in throttle."""

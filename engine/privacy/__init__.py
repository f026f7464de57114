"""Need to know: the access policy, access-checked reads, grants, the access log, retention."""

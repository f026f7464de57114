"""Process owners' work: deploying diagrams, comparing versions, moving cases."""

"""The anonymous channel: reports without an account, a 16-digit key code, an encrypted two-way dialogue."""

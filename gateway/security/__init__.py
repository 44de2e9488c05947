"""Secrets people type: passwords, transaction PINs and one-time codes (hashing, lockout)."""

"""Print a fresh Fernet key for development; `make run` stores it in var/pii.key."""

from cryptography.fernet import Fernet

print(Fernet.generate_key().decode())

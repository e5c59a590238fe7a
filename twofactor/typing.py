"""Request types for the type checker (the accounts app defines them)."""

from accounts.typing import SignedInRequest

__all__ = ["SignedInRequest"]

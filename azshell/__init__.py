"""azshell: learn, try and test Azure managed identities offline."""

__version__ = "0.1.0"

__all__ = ["__version__"]

"""metalstat: monthly metal-production statistics from a panel survey of producers."""

__version__ = "0.1.0"

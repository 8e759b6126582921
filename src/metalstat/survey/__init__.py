"""The survey: monthly returns, maintenance events and auxiliary market series."""

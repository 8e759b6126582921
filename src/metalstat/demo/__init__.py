"""The demo: a synthetic panel of fictional producers calibrated so that the engine, run on
its returns, states the figures of the June 2025 report; and ``metalstat demo`` to run it."""

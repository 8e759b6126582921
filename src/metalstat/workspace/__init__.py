"""The analysts' workspace: the month's board, returns, findings and sign-off on the web."""

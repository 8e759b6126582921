"""The register: producers, their capacity history, panel membership, and the audit log."""

"""Report languages: one folder per language (``language.toml`` and ``paragraphs.j2``)."""

from metalstat.releases.models.commentary import Commentary
from metalstat.releases.models.releases import Figure, Release

__all__ = ["Commentary", "Figure", "Release"]

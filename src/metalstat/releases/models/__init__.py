from metalstat.releases.models.commentary import Commentary
from metalstat.releases.models.lineage import CellStatus, Finding, SampleUnit
from metalstat.releases.models.releases import Figure, Release

__all__ = ["CellStatus", "Commentary", "Figure", "Finding", "Release", "SampleUnit"]

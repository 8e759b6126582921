from metalstat.registry.models.producers import CapacityRecord, PanelMembership, Producer

__all__ = ["CapacityRecord", "PanelMembership", "Producer"]

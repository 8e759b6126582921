from metalstat.registry.models.audit import AuditEntry
from metalstat.registry.models.producers import CapacityRecord, PanelMembership, Producer

__all__ = ["AuditEntry", "CapacityRecord", "PanelMembership", "Producer"]

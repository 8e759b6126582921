from metalstat.survey.models.auxiliary import AuxiliaryObservation, AuxiliarySeries
from metalstat.survey.models.returns import (
    MaintenanceEvent,
    SurveyReturn,
    ValidationConfirmation,
)

__all__ = [
    "AuxiliaryObservation",
    "AuxiliarySeries",
    "MaintenanceEvent",
    "SurveyReturn",
    "ValidationConfirmation",
]

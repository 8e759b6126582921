from metalstat.survey.models.auxiliary import AuxiliaryObservation, AuxiliarySeries
from metalstat.survey.models.respondents import RespondentToken
from metalstat.survey.models.returns import (
    MaintenanceEvent,
    SurveyReturn,
    ValidationConfirmation,
)

__all__ = [
    "AuxiliaryObservation",
    "AuxiliarySeries",
    "MaintenanceEvent",
    "RespondentToken",
    "SurveyReturn",
    "ValidationConfirmation",
]

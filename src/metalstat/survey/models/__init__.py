from metalstat.survey.models.auxiliary import AuxiliaryObservation, AuxiliarySeries
from metalstat.survey.models.respondents import RespondentToken
from metalstat.survey.models.returns import (
    FindingFollowUp,
    MaintenanceEvent,
    SurveyReturn,
    ValidationConfirmation,
)

__all__ = [
    "AuxiliaryObservation",
    "AuxiliarySeries",
    "FindingFollowUp",
    "MaintenanceEvent",
    "RespondentToken",
    "SurveyReturn",
    "ValidationConfirmation",
]

from metalstat.survey.models.auxiliary import AuxiliaryObservation, AuxiliaryOutlook, AuxiliarySeries
from metalstat.survey.models.respondents import RespondentToken
from metalstat.survey.models.returns import (
    FindingFollowUp,
    MaintenanceEvent,
    SurveyReturn,
    ValidationConfirmation,
)

__all__ = [
    "AuxiliaryObservation",
    "AuxiliaryOutlook",
    "AuxiliarySeries",
    "FindingFollowUp",
    "MaintenanceEvent",
    "RespondentToken",
    "SurveyReturn",
    "ValidationConfirmation",
]

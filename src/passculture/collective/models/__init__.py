from passculture.collective.models.bookings import (
    CollectiveBooking,
    CollectiveBookingStatus,
    EacProject,
)
from passculture.collective.models.offers import (
    CollectiveOffer,
    CollectiveRequest,
    CollectiveStock,
    Favourite,
    LocationType,
)
from passculture.collective.models.schools import (
    BudgetRate,
    EducationalYear,
    Enrolment,
    School,
    SchoolBudget,
    SchoolMember,
    SchoolRole,
    VenueCollectiveProfile,
)

__all__ = [
    "BudgetRate", "CollectiveBooking", "CollectiveBookingStatus", "CollectiveOffer",
    "CollectiveRequest", "CollectiveStock", "EacProject", "EducationalYear", "Enrolment",
    "Favourite", "LocationType", "School", "SchoolBudget", "SchoolMember", "SchoolRole",
    "VenueCollectiveProfile",
]  # fmt: skip

"""The services app's models, one module per sub-domain."""

from services.models.consent import ConsentGrant, ConsentUse, DataCategory, ThirdParty
from services.models.contact import Complaint, ComplaintEvent, Notification
from services.models.network import (
    CentralPurchaseOffer,
    Channel,
    Holiday,
    ServiceItem,
    Station,
    StationLevel,
    Village,
)
from services.models.window import (
    ChronicCertification,
    CrossRegionFiling,
    RequestDocument,
    RequestEvent,
    ServiceRequest,
)

__all__ = [
    "CentralPurchaseOffer",
    "Channel",
    "ChronicCertification",
    "Complaint",
    "ComplaintEvent",
    "ConsentGrant",
    "ConsentUse",
    "CrossRegionFiling",
    "DataCategory",
    "Holiday",
    "Notification",
    "RequestDocument",
    "RequestEvent",
    "ServiceItem",
    "ServiceRequest",
    "Station",
    "StationLevel",
    "ThirdParty",
    "Village",
]

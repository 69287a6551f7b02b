"""Every model, imported in one place so that Alembic and the tests see the whole schema."""

from hotline.audit.models import AuditEvent
from hotline.auth.models import ApiToken, Role, User
from hotline.callbacks.models import CallbackAttempt, CallbackConsent
from hotline.callbacks.spoken_models import SpokenReply, SpokenReplyAttempt
from hotline.campaigns.models import Campaign
from hotline.db import Base
from hotline.field.models import FocalPoint
from hotline.intake.models import Caller, Contact, Message, Recording, Report
from hotline.operators.models import OperatorCall, OperatorPresence
from hotline.region.library_models import (
    RegionAdoption,
    RegionPeerAdoption,
    RegionPeerEvaluation,
    RegionPublishedEvaluation,
)
from hotline.region.link_models import RegionRumourLink
from hotline.region.models import RegionPeer, RegionPeerMessage, RegionPeerRumour, RegionPeerWeek, RegionPublishedWeek
from hotline.rumours.models import CounterMessage, Rumour
from hotline.sms.models import MessageFlag
from hotline.studio.models import PromptRecording, ReviewedText
from hotline.triage.models import ProtectionReferral, ReferralPartner

__all__ = [
    "ApiToken", "AuditEvent", "Base", "CallbackAttempt", "CallbackConsent", "Caller", "Campaign", "Contact",
    "CounterMessage", "FocalPoint", "Message", "MessageFlag", "OperatorCall", "OperatorPresence", "PromptRecording",
    "ProtectionReferral", "Recording", "ReferralPartner", "RegionAdoption", "RegionPeer", "RegionPeerAdoption",
    "RegionPeerEvaluation", "RegionPeerMessage", "RegionPeerRumour", "RegionPeerWeek", "RegionPublishedEvaluation",
    "RegionPublishedWeek", "RegionRumourLink", "Report", "ReviewedText", "Role", "Rumour", "SpokenReply",
    "SpokenReplyAttempt", "User",
]

"""The LeerID data model."""

from .account import Account, AccountKind, AccountStatus, CredentialType, account_kind_for
from .admin import (
    AccountJob,
    AccountJobPart,
    AdminRole,
    AdminSession,
    AdminStage,
    AdminUser,
    CredentialBundle,
    JobStatus,
    admin_school,
)
from .audit import AuditEvent
from .base import Base, utcnow
from .email import EmailPurpose, EmailToken
from .interaction import Interaction
from .oauth import AuthorizationCode, ClaimRelease, Client, LoginSession, Token, UsedOnce
from .pupil import Enrollment, Person
from .report import ReportSnapshot
from .school import EducationType, Province, School

__all__ = [
    "AccountJob",
    "AccountJobPart",
    "JobStatus",
    "AuthorizationCode",
    "ClaimRelease",
    "Client",
    "LoginSession",
    "Token",
    "UsedOnce",
    "ReportSnapshot",
    "Account",
    "AccountKind",
    "AccountStatus",
    "AdminRole",
    "AdminSession",
    "AdminStage",
    "AdminUser",
    "AuditEvent",
    "Base",
    "CredentialBundle",
    "CredentialType",
    "EmailPurpose",
    "EmailToken",
    "EducationType",
    "Enrollment",
    "Interaction",
    "Person",
    "Province",
    "School",
    "account_kind_for",
    "admin_school",
    "utcnow",
]

"""The complete table metadata: every model module, imported once for Alembic and tests."""

from __future__ import annotations

from api.store import (
    dkim_models,
    email_models,
    identity_models,
    import_models,
    mail_models,
    models,
    passkey_models,
    search_models,
    submission_models,
)
from api.store.blobs import models as blob_models
from api.store.models import Base

__all__ = ["metadata"]

# Importing the modules registers their tables on Base.metadata.
_MODEL_MODULES = (
    models,
    mail_models,
    blob_models,
    email_models,
    identity_models,
    submission_models,
    dkim_models,
    import_models,
    search_models,
    passkey_models,
)
metadata = Base.metadata

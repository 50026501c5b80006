"""Typed errors raised at frontdesk's boundaries.

Every error a caller can act on is a :class:`FrontdeskError`. Errors caused by a bad value
(input text, configuration, an unfitted estimator) are also :class:`ValueError`, so code that
already guards with ``except ValueError`` keeps working.
"""

from __future__ import annotations


class FrontdeskError(Exception):
    """Base class of every error frontdesk raises on purpose."""


class ArtifactError(FrontdeskError):
    """An artifact folder is missing, incomplete, corrupted, tampered with or of unknown schema.

    The message names the offending file so an operator can fix the deployment.
    """


class InvalidInputError(FrontdeskError, ValueError):
    """A request cannot be routed: wrong type, empty text, malformed batch."""


class ConfigError(FrontdeskError, ValueError):
    """A configuration value is missing, unknown or of the wrong type; the message names the key."""


class NotFittedError(FrontdeskError, ValueError):
    """An estimator was used before ``fit`` or ``load``."""

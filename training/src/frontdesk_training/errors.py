"""Errors specific to training: bad datasets. Configuration errors use frontdesk.ConfigError."""

from __future__ import annotations

from frontdesk.errors import FrontdeskError


class DataError(FrontdeskError, ValueError):
    """A dataset file is missing or malformed; the message names the file and line."""


class ExportError(FrontdeskError):
    """Export refused: e.g. int8 accuracy dropped more than the configured bound."""

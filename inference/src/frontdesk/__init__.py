"""frontdesk: route LLM requests by intent and complexity, torch-free, in milliseconds on a CPU."""

from importlib.metadata import PackageNotFoundError, version

from frontdesk.artifact import Artifact
from frontdesk.decision import IntentPrediction, decide_intent
from frontdesk.errors import (
    ArtifactError,
    ConfigError,
    FrontdeskError,
    InvalidInputError,
    NotFittedError,
)
from frontdesk.intent import IntentClassifier

try:
    __version__ = version("frontdesk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "Artifact",
    "ArtifactError",
    "ConfigError",
    "FrontdeskError",
    "IntentClassifier",
    "IntentPrediction",
    "InvalidInputError",
    "NotFittedError",
    "__version__",
    "decide_intent",
]

"""frontdesk-training: train, calibrate, export and evaluate frontdesk's routing heads."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("frontdesk-training")
except PackageNotFoundError:  # source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]

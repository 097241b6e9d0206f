"""API keys for integrations: the model, services, pages and admin of `Api-Key` auth.

`integrations/authentication.py` (DRF's authentication class, outside this package)
reads the two functions it needs through this package, lazily so that importing the
model does not import the services.
"""

from importlib import import_module

__all__ = ["api_key_authenticate", "api_key_touch"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(import_module("integrations.api_keys.services"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

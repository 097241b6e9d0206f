"""Webhooks: endpoints managers register, an outbox of events written in the transaction
that makes the change, and their delivery in the Standard Webhooks format.

Other apps record events through the names below (the package's public interface, read
lazily so that importing the models does not import the services):
`from integrations import webhooks; webhooks.stage_changes_record(...)`. Everything else
in the package is internal to it.
"""

from importlib import import_module

__all__ = [
    "deal_closed_record",
    "deal_stage_changed_record",
    "event_record",
    "lead_created_record",
    "leads_created_record",
    "leads_created_record_from_insert",
    "stage_changes_record",
]


def __getattr__(name: str):
    if name in __all__:
        return getattr(import_module("integrations.webhooks.outbox"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

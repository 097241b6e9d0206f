"""API keys for integrations: the model, services, pages and admin of `Api-Key` auth.
DRF's authentication class that reads them is `integrations/authentication.py`."""

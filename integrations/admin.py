# Each feature registers its models in its own module.
from integrations import api_keys_admin  # noqa: F401

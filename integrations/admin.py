# Each feature registers its models in its own module.
from integrations.api_keys import admin  # noqa: F401

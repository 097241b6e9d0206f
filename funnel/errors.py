"""Named refusals shared by every app; `funnel.api_errors` maps them to HTTP once."""


class Conflict(Exception):
    """A request that clashes with a record's current state (winning a closed deal,
    enrolling a customer): the API answers 409, pages show the message."""

    def __init__(self, message: str, *, code: str = "conflict") -> None:
        self.message = message
        self.code = code
        super().__init__(message)

"""Named refusals of the sales rules.

`SalesConflict` is a request that clashes with the record's current state (winning a
closed deal, enrolling a customer): the API answers 409, pages show the message.
Malformed input is Django's `ValidationError` (400), as everywhere in Funnel.
"""


class SalesConflict(Exception):
    def __init__(self, message: str, *, code: str = "conflict") -> None:
        self.message = message
        self.code = code
        super().__init__(message)

"""Named refusals of the sales rules.

`SalesConflict` is a request that clashes with the record's current state (winning a
closed deal, enrolling a customer): the API answers 409 (mapped centrally for every
`funnel.errors.Conflict`), pages show the message. Malformed input is Django's
`ValidationError` (400), as everywhere in Funnel.
"""

from funnel.errors import Conflict


class SalesConflict(Conflict):
    pass

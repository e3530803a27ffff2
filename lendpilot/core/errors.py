"""Domain errors that services raise and that pages and the API turn into 4xx answers.

Field-level problems use Django's own `ValidationError` with a dict of field -> message, so forms
and the API report the same field. `Conflict` is for a state that changed under the caller
(a concurrent approval, a duplicate external reference): HTTP 409.
"""


class Conflict(Exception):
    """The action collides with the current state of the object; nothing was written."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

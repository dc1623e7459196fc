"""Writes of the services app, one module per sub-domain (the app is itself named services).

Import by full path: `from services.actions.window import request_accept`.
"""


class ServiceError(ValueError):
    """A refused action; the message says what is wrong and can be shown to the user as it is."""

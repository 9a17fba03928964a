"""The one exception the stack raises for a problem the user can fix."""


class StackError(Exception):
    """A one-line explanation (service, cause, log file) shown without a traceback."""

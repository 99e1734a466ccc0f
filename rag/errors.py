"""The few errors a user can cause. The CLI and the UI turn them into a clean message."""


class UserError(Exception):
    """Bad usage or bad input: shown as a one-line message, exit code 2, no traceback."""


class FormatError(ValueError):
    """A transcript file whose content does not parse as its format claims.

    The message says what is wrong and where (line number when known); ingestion reports
    it against the file's name and goes on with the other files.
    """

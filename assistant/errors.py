"""Our own errors. Each says what went wrong and what to do; the CLI and app show them as is.

Each is raised `from` the error behind it, when there is one, so a traceback or a log at DEBUG
shows what happened underneath while the person sees one line:

    raise StoreUnavailable(f"cannot open the index at {folder} ({error}): ...") from error
"""


class AssistantError(Exception):
    """Base class: the message is written for the person who has to act on it."""


class IndexMissing(AssistantError):
    """No index has been built yet."""


class StoreUnavailable(AssistantError):
    """The Chroma store cannot be reached or opened."""


class BadQuestion(AssistantError):
    """The question cannot be answered as asked (empty, too long)."""

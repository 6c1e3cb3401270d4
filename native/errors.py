class StackError(RuntimeError):
    """The stack cannot start; the message says why and what to do."""

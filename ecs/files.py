from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Writes the whole file or nothing: a reader never sees half a task definition or half a table."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)

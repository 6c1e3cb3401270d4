"""benchmark/measure.py: a path names components that were started, or the rounds do not begin."""

import pytest

from benchmark.cpu import Component, ProcessTree
from benchmark.measure import components_of
from benchmark.paths import RequestPath

PATH = RequestPath("healthz: compose, inside", "docker healthz", "http://x/healthz", {"nginx": "a", "gunicorn": "b"})


def test_a_paths_components_are_looked_up_by_name() -> None:
    """The meter reads exactly the components the path names."""
    components: dict[str, Component] = {name: ProcessTree(name, 1) for name in ("a", "b", "c")}
    assert components_of(PATH, components) == {"a": components["a"], "b": components["b"]}


def test_a_component_nobody_started_is_named() -> None:
    """A Docker row whose containers were not registered is refused (run_rounds checks every path before it
    calibrates), naming what is missing."""
    with pytest.raises(ValueError, match=r"^`healthz: compose, inside` names components that were not started: b$"):
        components_of(PATH, {"a": ProcessTree("a", 1)})

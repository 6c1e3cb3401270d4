"""native/nginx_config.py: the templates render for every topology, pass `nginx -t` and gixy-ng, and bad
input is refused."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from native.errors import StackError
from native.nginx_config import NGINX_DIR, check_nginx_config, render_nginx_config
from native.stack import NativeStack
from tests.support.gixy import gixy_findings
from tests.support.native import require_nginx
from topologies import TOPOLOGIES

pytestmark = pytest.mark.e2e


def topology_values(name: str) -> dict[str, str]:
    """The nginx values of one row of topologies.py."""
    return TOPOLOGIES[name].nginx_environment()


# `runtime` resolution, which no row uses any more (the benchmark's no-keep-alive nginx does): Docker's DNS.
RUNTIME = {"NGINX_UPSTREAM_RESOLVE": "runtime", "NGINX_LOCAL_RESOLVERS": "127.0.0.11"}


def variables(tmp_path: Path, **overrides: str) -> dict[str, str]:
    stack = NativeStack(static_root=tmp_path / "static", max_request_body_mb=10, runtime_dir=tmp_path)
    return {**stack.nginx_variables(), **overrides}


@pytest.fixture(autouse=True)
def _nginx_present() -> None:
    require_nginx()


@pytest.mark.parametrize("topology", sorted(TOPOLOGIES))
def test_every_topology_renders_and_passes_gixy(tmp_path: Path, topology: str) -> None:
    """gixy-ng finds no issue at any severity in the rendered config of each topology."""
    config = render_nginx_config(variables(tmp_path, **topology_values(topology)))
    assert gixy_findings(config) == []


@pytest.mark.parametrize("topology", sorted(TOPOLOGIES))
def test_every_topology_passes_nginx_t(tmp_path: Path, topology: str) -> None:
    """`nginx -t` accepts each topology's config. `nginx -t` resolves upstream names and `app` has no address
    on this host, so a name stands in as localhost here; the Docker tier checks real names."""
    values = topology_values(topology)
    if values.get("NGINX_UPSTREAM_HOST") == "app":
        values = {**values, "NGINX_UPSTREAM_HOST": "localhost"}
    check_nginx_config(render_nginx_config(variables(tmp_path, **values)))


@pytest.mark.parametrize("check", ["gixy", "nginx -t"])
def test_runtime_resolution_renders_and_passes(tmp_path: Path, check: str) -> None:
    """compose's values with `runtime` resolution (a variable in proxy_pass, Docker's DNS every 5 s)."""
    config = render_nginx_config(variables(tmp_path, **{**topology_values("compose"), **RUNTIME}))
    assert (
        f"include {config.parent}/conf.d/upstream-runtime.inc;" in (config.parent / "conf.d" / "app.conf").read_text()
    )
    if check == "gixy":
        assert gixy_findings(config) == []
    else:
        check_nginx_config(config)


def test_rendered_config_keeps_nginx_variables_and_fills_ours(tmp_path: Path) -> None:
    """Only NGINX_* placeholders are substituted: $host and friends reach nginx untouched."""
    rendered = render_nginx_config(variables(tmp_path)).parent / "conf.d" / "app.conf"
    text = rendered.read_text()
    assert "proxy_set_header Host $host;" in text
    assert f"alias {tmp_path / 'static'}/;" in text
    assert "${NGINX_" not in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"NGINX_UPSTREAM_RESOLVE": "sometimes"}, "NGINX_UPSTREAM_RESOLVE='sometimes' must be 'start'"),
        ({"NGINX_TRUSTED_PROXIES": "10.0.0.0/8 the-alb"}, "NGINX_TRUSTED_PROXIES entry 'the-alb' is not an IP"),
        ({"NGINX_TRUSTED_PROXIES": "10.0.0.0/8,999.1.1.1"}, "NGINX_TRUSTED_PROXIES entry '999.1.1.1' is not an IP"),
        ({"NGINX_TRUSTED_PROXIES": "10.0.0.0/33"}, "NGINX_TRUSTED_PROXIES entry '10.0.0.0/33' is not an IP"),
        ({"NGINX_TRUSTED_PROXIES": "*"}, r"NGINX_TRUSTED_PROXIES entry '\*' is not an IP"),
        ({"NGINX_TRUSTED_PROXIES": "::::"}, "NGINX_TRUSTED_PROXIES entry '::::' is not an IP"),
        ({"NGINX_LOCAL_RESOLVERS": ""}, r"unset or empty; set them in the environment: \$\{NGINX_LOCAL_RESOLVERS\}"),
    ],
)
def test_bad_values_are_refused_before_nginx_starts(tmp_path: Path, overrides: dict[str, str], message: str) -> None:
    """The entrypoint checks name the variable and the fix."""
    with pytest.raises(StackError, match=message):
        render_nginx_config(variables(tmp_path, **overrides))


def test_unset_variable_is_named(tmp_path: Path) -> None:
    """A template variable missing from the environment is named, not left for nginx to misread."""
    values = variables(tmp_path)
    del values["NGINX_STATIC_ROOT"]
    with pytest.raises(StackError, match=r"unset or empty; set them in the environment: \$\{NGINX_STATIC_ROOT\}"):
        render_nginx_config(values)


def test_empty_variable_is_refused(tmp_path: Path) -> None:
    """An empty NGINX_STATIC_ROOT would render `alias /;` and serve the whole filesystem: refused."""
    with pytest.raises(StackError, match=r"unset or empty; set them in the environment: \$\{NGINX_STATIC_ROOT\}"):
        render_nginx_config(variables(tmp_path, NGINX_STATIC_ROOT=""))


def test_malformed_template_is_rejected_by_nginx_t(tmp_path: Path) -> None:
    """A template with a syntax error renders, but `nginx -t` refuses it with nginx's own message."""
    templates = tmp_path / "templates"
    shutil.copytree(NGINX_DIR / "templates", templates)
    broken = templates / "conf.d" / "app.conf.template"
    broken.write_text(broken.read_text().replace("server_name _;", "server_name _;\n    proxy_bufers 4 8k;"))
    config = render_nginx_config(variables(tmp_path / "out"), templates=templates)
    with pytest.raises(StackError, match=r"(?s)nginx rejected .*unknown directive \"proxy_bufers\""):
        check_nginx_config(config)


def test_templates_render_like_the_image_envsubst_step() -> None:
    """Control for the renderer: envsubst leaves unlisted variables alone, as the image's filter does."""
    result = subprocess.run(
        ["envsubst", "${NGINX_A}"],
        input="$host ${NGINX_A} ${NGINX_B}",
        env={"PATH": os.environ["PATH"], "NGINX_A": "a", "NGINX_B": "b"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "$host a ${NGINX_B}"

"""`ecs-task` (or `python -m ecs`): render, check, capacity and run-local. docs/ecs.md is the guide."""

import argparse
import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from ecs.capacity import UNKNOWN, InstanceSize, TaskSize, answer, usage_problem
from ecs.check import check_task_definition
from ecs.environments import EnvironmentFileError, environment_names, load_environment
from ecs.files import write_atomically
from ecs.render import (
    BRIDGE_UPSTREAMS,
    LAUNCH_TYPES,
    MODE_LAUNCH_TYPES,
    RenderError,
    render_task_definition,
    renderings,
    to_json,
)


def render(args: argparse.Namespace) -> int:
    task = render_task_definition(load_environment(args.env), args.mode, args.launch_type, args.bridge_upstream)
    problems = check_task_definition(task)
    for problem in problems:
        print(problem.format(f"{args.env}/{args.mode}/{args.launch_type}"), file=sys.stderr)
    if problems:
        return 1
    if args.out:
        try:
            write_atomically(Path(args.out), to_json(task))
        except OSError as error:
            print(f"ecs-task render: cannot write {args.out}: {error.strerror}", file=sys.stderr)
            return 1
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(to_json(task))
    return 0


def report(source: str, task: Any) -> bool:
    """Prints `ok source` or each problem; True when there is none."""
    problems = check_task_definition(task)
    for problem in problems:
        print(problem.format(source), file=sys.stderr)
    if not problems:
        print(f"ok {source}")
    return not problems


def check(args: argparse.Namespace) -> int:
    clean = True
    if args.files:
        for name in args.files:
            try:
                task = json.loads(Path(name).read_text())
            except (OSError, json.JSONDecodeError) as error:
                print(f"{name}: cannot read a task definition: {error}", file=sys.stderr)
                clean = False
                continue
            clean = report(name, task) and clean
        return 0 if clean else 1
    for env in environment_names():
        environment = load_environment(env)
        for mode, launch_type, bridge_upstream in renderings():
            task = render_task_definition(environment, mode, launch_type, bridge_upstream)
            variant = f"{mode} by {bridge_upstream}" if mode == "bridge" else mode
            clean = report(f"ecs/environments/{env}.toml ({variant}, {launch_type})", task) and clean
    return 0 if clean else 1


def capacity(args: argparse.Namespace) -> int:
    if problem := usage_problem(args.tasks, args.env, args.vcpus, args.memory_mib):
        print(f"ecs-task capacity: {problem}", file=sys.stderr)
        return UNKNOWN
    task = None
    if args.env is not None:
        rendered = render_task_definition(load_environment(args.env), args.mode, "ec2")
        task = TaskSize(args.env, int(rendered["cpu"]), int(rendered["memory"]))
    instance = InstanceSize(args.vcpus, args.memory_mib) if args.vcpus is not None else None
    code, sentence = answer(
        args.instance_type, args.tasks, args.mode, trunking=args.trunking, task=task, instance=instance
    )
    print(sentence)
    return code


def run_local(args: argparse.Namespace) -> int:
    from ecs.local.run import run

    task = render_task_definition(load_environment(args.env), args.mode, "ec2", args.bridge_upstream)
    one_off = None
    if args.one_off_command is not None or args.container is not None:
        names = [definition["name"] for definition in task["containerDefinitions"]]
        if args.container not in names or not args.one_off_command:
            print(
                f"ecs-task run-local: a one-off needs --container (one of {', '.join(names)}) and --command, "
                'for example --container app --command "python manage.py migrate --noinput"',
                file=sys.stderr,
            )
            return 2
        one_off = (args.container, shlex.split(args.one_off_command))
    return run(task, args.mode, args.port, one_off)


def add_bridge_upstream(command_parser: argparse.ArgumentParser) -> None:
    command_parser.add_argument(
        "--bridge-upstream",
        default="links",
        choices=list(BRIDGE_UPSTREAMS),
        help="bridge mode: nginx finds the app by a link alias (default) or by its address in the task metadata",
    )


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="ecs-task", description=__doc__)
    commands = main_parser.add_subparsers(dest="command", required=True)

    render_parser = commands.add_parser("render", help="print (or --out) a register-ready task definition")
    render_parser.add_argument("--env", required=True, choices=environment_names())
    render_parser.add_argument("--mode", required=True, choices=list(MODE_LAUNCH_TYPES))
    render_parser.add_argument("--launch-type", default="ec2", choices=list(LAUNCH_TYPES))
    render_parser.add_argument("--out", help="write to this file instead of stdout")
    add_bridge_upstream(render_parser)
    render_parser.set_defaults(handler=render)

    check_parser = commands.add_parser("check", help="check every rendering, or the given task-definition files")
    check_parser.add_argument("files", nargs="*", help="task-definition JSON files (default: render and check all)")
    check_parser.set_defaults(handler=check)

    capacity_parser = commands.add_parser("capacity", help="how many awsvpc tasks fit on an instance type")
    capacity_parser.add_argument("--instance-type", required=True)
    capacity_parser.add_argument("--tasks", type=int, help="whether N tasks fit (optional with --env)")
    capacity_parser.add_argument("--mode", default="awsvpc", choices=list(MODE_LAUNCH_TYPES))
    capacity_parser.add_argument(
        "--trunking",
        action="store_true",
        help="answer with ENI trunking's limits: awsvpcTrunking is on, or Managed Instances (trunk ENI by default)",
    )
    capacity_parser.add_argument("--env", choices=environment_names(), help="also answer for this environment's task")
    capacity_parser.add_argument("--vcpus", type=int, help="the instance type's vCPUs, to tell what binds first")
    capacity_parser.add_argument("--memory-mib", type=int, help="the instance type's memory, MiB, with --vcpus")
    capacity_parser.set_defaults(handler=capacity)

    run_parser = commands.add_parser("run-local", help="run a task definition on the local Docker engine")
    run_parser.add_argument("--env", default="local", choices=environment_names())
    run_parser.add_argument("--mode", required=True, choices=list(MODE_LAUNCH_TYPES))
    run_parser.add_argument(
        "--port",
        type=int,
        help="local port to publish nginx on (default: the task's hostPort, or a free port for a dynamic one)",
    )
    add_bridge_upstream(run_parser)
    run_parser.add_argument("--container", help="a one-off: run this container with --command, then stop the task")
    run_parser.add_argument(
        "--command", dest="one_off_command", help='the one-off\'s command, for example "python manage.py migrate"'
    )
    run_parser.set_defaults(handler=run_local)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except (EnvironmentFileError, RenderError) as error:
        print(f"ecs-task {args.command}: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader stopped early (`ecs-task check | head`): nothing is wrong, and nothing more is printed.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code

"""A rendered task definition run as containers on the local Docker engine, with its network mode's semantics
(`ecs-task run-local`).

Its sibling, native/, runs the same stack as two processes on this machine without Docker. Both start
everything, hand back a running handle with `url` and `stop()`, and stop everything on Ctrl-C.
"""

"""The stack as two native processes on this machine, gunicorn behind nginx, without Docker (`make run`).

Its sibling, ecs/local/, runs the same stack as an ECS task of containers on the local Docker engine.
Both start everything, hand back a running handle with `url` and `stop()`, and stop everything on Ctrl-C.
"""

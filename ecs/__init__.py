"""ECS task definitions for bridge and awsvpc modes: render, check, capacity and run-local (`python -m ecs`)."""

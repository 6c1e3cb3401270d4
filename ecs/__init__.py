"""ECS task definitions for bridge and awsvpc: render, check, capacity and run-local (the `ecs-task` command)."""

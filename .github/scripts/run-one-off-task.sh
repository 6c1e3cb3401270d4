#!/usr/bin/env bash
# Runs a one-off ECS task, as the deploy runs `migrate`: placed and networked as the service's tasks are, with
# one container's command replaced. Waits for the task to stop, prints that container's log, and exits with its
# exit code: 0 lets the deploy go on, anything else stops it before the service is updated.
#
# Usage: run-one-off-task.sh TASK_DEFINITION CONTAINER COMMAND_JSON
#   TASK_DEFINITION  a registered task definition: its ARN, or family:revision
#   CONTAINER        the container whose command is replaced and whose exit code counts, e.g. app
#   COMMAND_JSON     the command as ECS takes it, e.g. '["python", "manage.py", "migrate", "--noinput"]'
# Environment: ECS_CLUSTER and ECS_SERVICE (the service whose launch type or capacity providers, and awsvpc
# network, the task takes); ONE_OFF_TIMEOUT_SECONDS (1800) and ONE_OFF_POLL_SECONDS (10).
set -o errexit -o nounset -o pipefail
ME=$(basename "$0")

fail() {
    echo "$ME: $*" >&2
    exit 1
}

(($# == 3)) || fail "usage: $ME TASK_DEFINITION CONTAINER COMMAND_JSON (the comment at the top explains them)"
task_definition=$1 container=$2 command_json=$3
[[ -n ${ECS_CLUSTER:-} ]] || fail "ECS_CLUSTER is not set: the cluster of the service, e.g. ECS_CLUSTER=myapp-prod"
[[ -n ${ECS_SERVICE:-} ]] || fail "ECS_SERVICE is not set: the service whose placement the task takes"
[[ $container =~ ^[A-Za-z0-9_-]+$ ]] || fail "CONTAINER=$container is not a container name (letters, digits, _, -)"
timeout=${ONE_OFF_TIMEOUT_SECONDS:-1800}
poll=${ONE_OFF_POLL_SECONDS:-10}

service() {
    aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE" --query "services[0].$1" --output "$2"
}
status=$(service status text)
[[ $status == ACTIVE ]] || fail "service $ECS_SERVICE in cluster $ECS_CLUSTER is ${status/None/missing}, not ACTIVE:" \
    "check ECS_CLUSTER and ECS_SERVICE (the GitHub environment's variables)"
run=(--cluster "$ECS_CLUSTER" --task-definition "$task_definition" --started-by "$ME"
    --overrides "{\"containerOverrides\": [{\"name\": \"$container\", \"command\": $command_json}]}")
launch_type=$(service launchType text)
capacity_providers=$(service capacityProviderStrategy json)
network=$(service networkConfiguration json)
[[ $launch_type == None ]] || run+=(--launch-type "$launch_type")
[[ $capacity_providers == null ]] || run+=(--capacity-provider-strategy "$capacity_providers")
[[ $network == null ]] || run+=(--network-configuration "$network")

started=$(aws ecs run-task "${run[@]}" --query '[tasks[0].taskArn, failures[0].reason]' --output text)
read -r task failure <<<"$started"
[[ $task != None ]] || fail "ECS did not start the task: $failure"
echo "$ME: started $task ($container: $command_json)"

deadline=$((SECONDS + timeout))
last_status=
while :; do
    described=$(aws ecs describe-tasks --cluster "$ECS_CLUSTER" --tasks "$task" --output text \
        --query "tasks[0].[lastStatus, containers[?name=='$container'] | [0].exitCode, stoppedReason]")
    read -r task_status exit_code stopped_reason <<<"$described"
    [[ $task_status == "$last_status" ]] || echo "$ME: $task_status"
    last_status=$task_status
    [[ $task_status != STOPPED ]] || break
    ((SECONDS < deadline)) || fail "the task is still $task_status after ${timeout}s (ONE_OFF_TIMEOUT_SECONDS):" \
        "stop it with aws ecs stop-task --cluster $ECS_CLUSTER --task $task"
    sleep "$poll"
done

# The container's log, where the task definition sends it (awslogs: PREFIX/CONTAINER/TASK_ID).
options="taskDefinition.containerDefinitions[?name=='$container'] | [0].logConfiguration.options"
logging=$(aws ecs describe-task-definition --task-definition "$task_definition" --output text \
    --query "$options.[\"awslogs-group\", \"awslogs-stream-prefix\"]")
read -r log_group stream_prefix <<<"$logging"
stream="$stream_prefix/$container/${task##*/}"
echo "$ME: the log of $container ($log_group, $stream):"
aws logs tail "$log_group" --log-stream-names "$stream" --since "$((timeout + 600))s" --format short \
    || echo "$ME: could not read the log: see $log_group in CloudWatch Logs"

if [[ $exit_code == None ]]; then
    reason=$(aws ecs describe-tasks --cluster "$ECS_CLUSTER" --tasks "$task" --output text \
        --query "tasks[0].containers[?name=='$container'] | [0].reason")
    fail "$container never exited with a code: ${reason/None/no reason given}; the task stopped: $stopped_reason"
fi
if ((exit_code != 0)); then
    echo "$ME: $container exited with $exit_code: $command_json failed, so the deploy stops here" >&2
    exit "$exit_code"
fi
echo "$ME: $container exited with 0"

# The Docker part's load generator: wrk, in a container that joins nginx's network namespace
# (benchmark/docker_stacks.py). Throwaway: built and removed by each run; never part of the product.
ARG DEBIAN_IMAGE=standin/debian:bookworm
FROM ${DEBIAN_IMAGE}
# Unpinned on purpose: a throwaway tool image takes bookworm's current wrk; a pinned version disappears from the
# mirror at the next security update.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install --yes --no-install-recommends wrk \
    && rm -rf /var/lib/apt/lists/*

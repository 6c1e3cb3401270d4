# The Docker part's load generator: wrk, in a container that joins nginx's network namespace
# (benchmark/docker_stacks.py). Throwaway: built and removed by each run; never part of the product.
ARG DEBIAN_IMAGE=standin/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
    && apt-get install --yes --no-install-recommends wrk \
    && rm -rf /var/lib/apt/lists/*

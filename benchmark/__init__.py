"""`make benchmark`: the request paths measured side by side (python -m benchmark)."""

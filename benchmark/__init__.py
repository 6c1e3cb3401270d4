"""`make benchmark` (python -m benchmark): every request path against its limit; writes docs/benchmarks.md.

See docs/performance.md for what it measures and why.
"""

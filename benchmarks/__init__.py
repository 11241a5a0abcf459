"""Benchmarks for newsindex: relevance (known-item and questions), speed and memory.

Entry point: ``python -m benchmarks.run [--quick]`` writes ``benchmarks/RESULTS.md``.
Corpora are read from ``../shared/corpora`` (override with ``NEWSINDEX_CORPORA``);
generated files go to ``benchmarks/out/`` (gitignored: it holds corpus text).
"""

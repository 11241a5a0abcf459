"""Search: query syntax, query building, BM25F scoring, phrases, highlights, snippets, results."""

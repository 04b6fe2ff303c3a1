"""Infrastructure of the suite: claim records, checks, verdicts, the oracle, discovery, statistics."""

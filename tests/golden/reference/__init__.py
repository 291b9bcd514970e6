"""Independent reference evaluator for the golden query tests (see ../README.md)."""

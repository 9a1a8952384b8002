"""What evaluators rerun: the report's metric tables and plain findings, the
organisation's own view of itself, and the report written headlessly."""

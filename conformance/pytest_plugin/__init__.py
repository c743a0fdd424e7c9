"""The pytest plugin: hooks, fixtures, markers and xdist glue; thin, calling the engine and the reports."""

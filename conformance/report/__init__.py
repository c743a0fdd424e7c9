"""Reports: pure functions from a run's results to JSON, XML, HTML, Markdown and terminal text."""

"""A run's configuration: its options, the settings they make, the safety rules they imply."""

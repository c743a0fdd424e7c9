"""What a run is and how evidence becomes verdicts: the run, scenarios, ledgers, searches, findings."""

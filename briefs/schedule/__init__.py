"""``briefs run``: a door beside the command line that keeps briefs current
by itself, on schedules and when the data changes (docs/jobs.md)."""

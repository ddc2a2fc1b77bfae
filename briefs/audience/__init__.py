"""Stage 2, the audience: what each reader may see, and proof that they saw no more.

Default-deny selection before any template runs, the plan of briefs to build,
and the leak guard that reads every rendered brief before it is written.
"""

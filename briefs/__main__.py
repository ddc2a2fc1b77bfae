"""``python -m briefs``."""

from briefs.cli import main

main()

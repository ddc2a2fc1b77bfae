"""/status: what ``briefs status`` says, as JSON, for an operator's monitor."""

from __future__ import annotations

from typing import Any

from briefs.mail.outbox import open_outbox
from briefs.schedule.lock import holder
from briefs.schedule.runlog import open_runlog
from briefs.source.config import Project


def report(project: Project) -> dict[str, Any]:
    state = project.folders.state
    with open_runlog(state) as runlog:
        runs, failing = runlog.last_runs(), runlog.failing()
    with open_outbox(project.folders) as box:
        counts, bounced = box.counts(), box.messages(["failed"])
    pid = holder(state)  # asked once: running and pid must agree
    return {
        "briefs_run": {"running": pid is not None, "pid": pid},
        "jobs": [
            {
                "job": r.job,
                "started_at": r.started_at,
                "trigger": r.trigger,
                "state": r.state,
                "built": r.built,
                "current": r.current,
                "message": r.message,
            }
            for r in runs.values()
        ],
        "failing": [{"what": w, "since": s, "reason": why} for w, s, why in failing],
        "outbox": {
            "counts": counts,
            "failed": [
                {"id": m.id, "job": m.job, "to": m.recipient, "error": m.error} for m in bounced
            ],
        },
    }

"""Mail within ``briefs run``: a job's messages are queued after its build,
and the outbox is sent whenever something in it is due.

Sending happens in the build loop, between builds, so one process owns the
SMTP connection; a server that is down only delays the mail, and never
stops the briefs from being built. Nothing here raises: a failure is logged,
and what failed is in ``briefs outbox`` and ``briefs status``.
"""

from __future__ import annotations

import logging
import time

from briefs.errors import BriefsError
from briefs.mail.notices import tell
from briefs.mail.outbox import Outbox
from briefs.mail.post import post
from briefs.mail.send import deliver
from briefs.schedule.attempt import Outcome
from briefs.schedule.jobs import Job
from briefs.source.config import Project

log = logging.getLogger("briefs.mail")


class Postman:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self.paused = 0.0
        """Until when the loop should not wake for mail, after a failure of
        the whole delivery, so that it does not try again in a tight loop."""

    def after(self, project: Project, job: Job, outcome: Outcome, occasion: str) -> None:
        """Queue the job's mail once its build is done (whatever it built),
        then send what is due."""
        deliver_ = job.spec.deliver
        if deliver_ is None:
            return
        if outcome.error:  # nothing could be built: send no stale package either
            tell(self.outbox, job.id, deliver_.owner, "nothing was sent", [outcome.error])
            self.send(project)
            return
        scope = (list(job.spec.build.dossiers), [str(x) for x in job.spec.build.languages])
        refused = {p.field for p in outcome.problems}
        try:
            posting = post(
                project,
                self.outbox,
                job.id,
                deliver_,
                scope,
                refused=refused,
                occasion=occasion,
            )
        except BriefsError as exc:
            log.error("job %s: its mail was not queued: %s", job.id, exc)
            return
        for line in posting.queued:
            log.info("job %s: queued mail to %s", job.id, line.partition(":")[0])
        for line in posting.awaiting:
            log.info("job %s: waiting for approval: %s", job.id, line)
        self.send(project)

    def send(self, project: Project) -> None:
        try:
            deliver(project, self.outbox)
        except BriefsError as exc:  # nothing could be sent: not again at once
            log.error("mail not sent: %s", exc)
            self.paused = time.time() + project.settings.mail.backoff

    def wake(self) -> None:
        """At start-up: what the last process left pending is due now, so
        that it goes out at once rather than when its backoff ends."""
        if woken := self.outbox.wake(time.time()):
            log.info("%d message(s) left pending by the last stop: sending them now", woken)

    def wait(self) -> float | None:
        """Seconds until the next message is due, if any is pending."""
        upcoming = self.outbox.next_due()
        return None if upcoming is None else max(0.0, max(upcoming, self.paused) - time.time())

"""Emailing the briefs: recipients, the outbox, the message, the transport."""

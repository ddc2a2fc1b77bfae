"""The leak guard, run over a message's text before it is queued.

A message's subject and body are made from the editions' snapshots, which
hold only what each brief's audience may see, so they should never carry an
excluded item's words. The guard assumes that may have failed (a template
edit, a bug) and reads the text as it does a brief: for the words of every
item none of the recipient's audiences may see, including the old wordings
of items that left them.
"""

from __future__ import annotations

from briefs.audience.guard import Watchlist, printed_for
from briefs.audience.plan import briefs_of
from briefs.editions.changes import withdrawn
from briefs.editions.ledger import Ledger
from briefs.source.config import Project
from briefs.source.model import Item


def leaks(
    project: Project, ledger: Ledger, dossiers: list[str], audiences: list[str], text: str
) -> list[str]:
    """Each excluded item whose words ``text`` holds, named by its id and file
    (never by its words: the owner told of it may not read them either);
    empty when the text is clean."""
    found = []
    for dossier in dossiers:
        briefs, problems = briefs_of(
            project.folders, project.settings.audiences, dossier, audiences, None
        )
        if problems:
            return [f"{dossier} could not be read to check the message: {problems[0]}"]
        allowed: dict[str, Item] = {}
        excluded: dict[str, Item] = {}
        printed: list[str] = []
        old: list[Item] = []
        for brief in briefs:
            selection = brief.selection
            allowed.update((i.id, i) for i in selection.dossier.items())
            excluded.update((i.id, i) for i in selection.excluded)
            printed += printed_for(selection)
            every = {i.id for i in brief.loaded.dossier.items()}
            visible = {i.id for i in selection.dossier.items()}
            history = ledger.snapshots(dossier, brief.target.audience)
            old += withdrawn(history, visible, every)
        hidden = [i for i in [*excluded.values(), *old] if i.id not in allowed]
        watch = Watchlist(hidden, allowed.values(), printed)
        for item in watch.found(text):
            origin = briefs[0].loaded.where(item) if briefs else None
            where = f" ({origin.file}:{origin.line})" if origin and origin.line else ""
            found.append(f"item {item} of {dossier}{where}")
    return found

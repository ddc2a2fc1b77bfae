"""briefs serve: the briefs over HTTP, for readers, partners' systems and authors."""

"""The tamper-evident audit trail: who did what, from where (`context`), stored append-only
and hash-chained (`chain`, `triggers`), plus the events no service call covers
(`signals`: permission and group changes; `events`: downloads and exports)."""

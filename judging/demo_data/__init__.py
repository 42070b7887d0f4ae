"""Seed facts for the demo, as plain Python data (read by `judging.demo`).

Each module transcribes one or more of the real documents in `shared/seeds/` and says which.
Only what a seed prints is recorded; where we had to infer something (an edition's number, a
lead unit named in the text rather than as 主创单位, a "+" lost in the source) the module says
so next to the value. Traditional characters of the sources are stored in Simplified Chinese,
converted by hand.

Shapes (plain dicts, so that a reader needs no code to follow them):

- programme: ``{"slug", "name", "short_name", "hosts", "organisers", "description", "order"}``
- edition: ``{"slug", "title", "number", "period_label", "year", "status", "call_text",
  "contact", "results_published_on" (a date or None), "results_unordered", "categories",
  "tiers", "awards", "panels"}``
- category: ``(code, name, description, partner_organiser)``
- tier: ``(name, quota, quota_scope)``, listed from the highest tier down
- award: ``{"tier", "category" (code or None), "title", "lead_units" (names in `units.UNITS`),
  "summary", "citation", "commentator" (name in the module's JUDGES or None), "signed_as"}``
- panel: ``{"name", "categories" (codes), "members": [(judge name, role)]}``
"""

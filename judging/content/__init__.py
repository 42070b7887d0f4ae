"""The programmes' public site as a content-management system: articles and fixed pages,
their attachments, the editorial workflow, the organiser-edited menu, feeds, sitemap and a
Chinese-aware search across articles, public cases and approved citations (issue 11)."""

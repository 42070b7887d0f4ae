"""Monthly data-driven heat rankings (荆楚网 社会治理创新排行榜, seed 002; DESIGN.md §5).

A ranking series belongs to a programme; each monthly period is an edition of that programme
(one-to-one), so publication, the embargo and the public page cache are the editions' own.
Items sit in lists (level × kind); their mentions come from data: an imported table of
mention counts per platform and the media-coverage records of managed outlets. See
`formula.py` for the standardisation and `services.py` for publication.
"""

"""The HTML pages: the report (:mod:`.page`) and the comparison's shared templating.

One module a job: :mod:`.templating` (the jinja2 environment, its filters, the
Content-Security-Policy), :mod:`.template_cache` (compiled templates kept on disk),
:mod:`.identities` (how the page folds names to the identities the diagnosis counted),
:mod:`.matrix` (account x host tallies), :mod:`.timeline` (the SVG timeline) and
:mod:`.page` (what the report template shows, and ``render_html``). Nothing is imported
here, so that importing one of them (the comparison needs only the templating) does not
load the others.
"""

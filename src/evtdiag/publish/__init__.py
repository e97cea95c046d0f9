"""Publishing: a document or a rendering, from the engine to the files the user asked for.

Redaction (:mod:`~evtdiag.publish.redact`), the output targets and what goes to them
(:mod:`~evtdiag.publish.targets`), the redaction key and mapping, and writing every file
whole or not at all (:mod:`~evtdiag.publish.output`). ``report``, ``render``, ``compare``
and ``fixes`` publish through here; :mod:`evtdiag.render` only turns a document into
text. This module imports nothing, so that a command which only writes (``events``)
does not load the renderers.
"""

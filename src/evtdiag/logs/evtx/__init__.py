"""The Windows XML Event Log (.evtx) format: recognised by its file magic, read by
ranges of chunks (:mod:`.ranges`), chunk by chunk (:mod:`.chunk`), records decoded
from BinXML (:mod:`.binxml`, :mod:`.template_fields`); byte layouts in :mod:`.layout`."""

from evtdiag.logs.evtx.layout import FILE_MAGIC
from evtdiag.logs.evtx.ranges import read_evtx
from evtdiag.logs.sources import Format

FORMAT = Format("evtx", lambda head: head[:8] == FILE_MAGIC, read_evtx, reports_progress=True)

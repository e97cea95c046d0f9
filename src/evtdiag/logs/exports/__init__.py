"""Event logs exported as text: Event Viewer's XML (and ``wevtutil qe /f:xml``) and its
CSV / tab-delimited exports. They read the neutral event tree of
:mod:`evtdiag.logs.event_tree`, nothing of the binary .evtx reader."""

"""An .evtx record's XML rendered again from its file, for the few events that are shown.

Keeping every PSync record's XML (or the values that render it) cost more memory than
the rest of the record; a record read from a file that stays where it is keeps only its
offset and a checksum of its bytes (:class:`~evtdiag.logs.store.LocatedXml`), and
:class:`EvtxXmlMaker` reads its chunk again and decodes it the way the reader did, so
the XML is the one the reader would have kept.
"""

from __future__ import annotations

from collections import OrderedDict

from evtdiag.errors import InputChanged
from evtdiag.logs.evtx import layout
from evtdiag.logs.evtx.binxml import ChunkDecoder
from evtdiag.logs.evtx.chunk import frame_at, frame_xml, record_checksum

CACHED_CHUNKS = 1024
"""Chunks whose templates are kept (64 MiB of log; a few KiB each)."""


class EvtxXmlMaker:
    """Renders the XML of the records of one .evtx file from the file.

    :param path: the file (absolute: the report may be made from another folder).
    :param label: its name in places and messages.
    """

    __slots__ = ("_decoders", "label", "path")

    def __init__(self, path: str, label: str) -> None:
        self.path = path
        self.label = label
        self._decoders: OrderedDict[int, ChunkDecoder] = OrderedDict()
        """Per chunk, the decoder's caches (its templates): the problems' sample events
        lie all over the file, and decoding a chunk's templates again for each costs more
        than reading the chunk's bytes again. Bounded (:data:`CACHED_CHUNKS`)."""

    def __reduce__(self) -> tuple[type[EvtxXmlMaker], tuple[str, str]]:
        return EvtxXmlMaker, (self.path, self.label)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EvtxXmlMaker):
            return (self.path, self.label) == (other.path, other.label)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.path, self.label))

    def __repr__(self) -> str:
        return f"EvtxXmlMaker({self.label!r})"

    def xml_at(self, offset: int, check: int) -> str:
        index = (offset - layout.FILE_HEADER_SIZE) // layout.CHUNK_SIZE
        base = layout.FILE_HEADER_SIZE + index * layout.CHUNK_SIZE
        try:
            with open(self.path, "rb") as handle:
                handle.seek(base)
                chunk = handle.read(layout.CHUNK_SIZE).ljust(layout.CHUNK_SIZE, b"\x00")
        except OSError as error:
            raise self._changed(offset, f"cannot be read again ({error.strerror})") from error
        frame = frame_at(chunk, offset - base, layout.CHUNK_SIZE)
        if frame is None or record_checksum(chunk, frame.offset, frame.size) != check:
            raise self._changed(offset, "no longer holds the record read there")
        xml = frame_xml(self._decoder(index, chunk), frame, path=self.label, index=index)
        if xml is None:  # pragma: no cover - the bytes decoded when they were read
            raise self._changed(offset, "no longer decodes")
        return xml

    def _decoder(self, index: int, chunk: bytes) -> ChunkDecoder:
        """A decoder of ``chunk`` (slot ``index``) with the caches of the last one."""
        known = self._decoders.pop(index, None)
        decoder = known.of_bytes(chunk) if known else ChunkDecoder(chunk)
        self._decoders[index] = decoder.of_bytes(b"")  # the caches, not the bytes
        if len(self._decoders) > CACHED_CHUNKS:
            self._decoders.popitem(last=False)
        return decoder

    def _changed(self, offset: int, what: str) -> InputChanged:
        return InputChanged(
            f"{self.label}: offset {offset:#x} {what}: the log changed while the report was "
            "made; make the report again from a copy that does not change"
        )

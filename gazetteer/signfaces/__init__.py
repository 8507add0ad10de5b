"""Sign faces (地名标志、门楼牌 版面): print-ready faces at true size, as SVG and PDF, for the sign makers.

``face_for(kind, chinese, number=..., qr_url=..., synthetic=...)`` makes a face (romanization from the
engine); ``face_for_record(place, kind, ...)`` one naming a place record; ``face_svg(face)``,
``face_pdf(face)`` and ``faces_pdf(faces)`` (a production order, one face per page) draw it;
``lay_out(face)`` is the geometry both share. Nothing here touches the database.
"""

from gazetteer.signfaces.faces import (
    KINDS,
    SYNTHETIC_MARK,
    Face,
    FaceError,
    face_for,
    face_for_record,
    kind_settings,
    record_url,
)
from gazetteer.signfaces.layout import Layout, lay_out
from gazetteer.signfaces.render import face_pdf, face_svg, faces_pdf

__all__ = [
    "KINDS",
    "SYNTHETIC_MARK",
    "Face",
    "FaceError",
    "Layout",
    "face_for",
    "face_for_record",
    "face_pdf",
    "face_svg",
    "faces_pdf",
    "kind_settings",
    "lay_out",
    "record_url",
]

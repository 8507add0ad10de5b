"""What a sign face says: its kind, its text (the romanization always from the engine), its size and colours.

The kinds are those of the sign inventory (GB 17733 and the 门楼牌 rules, domain guide §2); their sizes,
layouts and colours come from ``settings.SIGN_FACES`` (which says which sizes are quoted and which are
assumed), so a city changes them without code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings

from gazetteer.romanization.engine import romanize

KINDS = {
    "road_name": "路名牌",
    "street": "街牌",
    "lane": "巷牌",
    "house_plate": "门牌",
    "building": "楼牌",
    "unit": "单元牌",
    "household": "户牌",
    "place": "地名标志",
}
LAYOUTS = ("bands", "plate", "stacked")
SYNTHETIC_MARK = "示例 SYNTHETIC"


class FaceError(ValueError):
    """A face that cannot be made as asked (unknown kind or variant, text the font cannot draw, ...)."""


@dataclass(frozen=True)
class Face:
    kind: str
    chinese: str
    romanization: str
    number: str
    width_mm: float
    height_mm: float
    layout: str
    ground: str
    ink: str
    number_ground: str
    number_ink: str
    border_mm: float
    qr_url: str = ""
    synthetic: bool = False
    variant: str = ""

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def texts(self) -> list[str]:
        """What the face shows, in reading order."""
        shown = [self.chinese, self.romanization, self.number] + ([SYNTHETIC_MARK] if self.synthetic else [])
        return [text for text in shown if text]


def kind_settings(kind: str, variant: str = "") -> dict:
    """The configured size, layout and colours of a kind (and variant)."""
    config = settings.SIGN_FACES
    if kind not in KINDS or kind not in config["kinds"]:
        raise FaceError(f"unknown sign kind {kind!r}: one of {', '.join(KINDS)}")
    base = {key: value for key, value in config["kinds"][kind].items() if key != "variants"}
    if variant:
        variants = config["kinds"][kind].get("variants", {})
        if variant not in variants:
            raise FaceError(f"{kind} has no variant {variant!r}: {', '.join(variants) or 'none'}")
        base |= variants[variant]
    values = {"ground": config["ground"], "ink": config["ink"]} | base
    values.setdefault("number_ground", values["ground"])
    values.setdefault("number_ink", values["ink"])
    if values["layout"] not in LAYOUTS:
        raise FaceError(f"{kind}: layout {values['layout']!r} is not one of {', '.join(LAYOUTS)}")
    return values


def face_for(
    kind: str,
    chinese: str,
    *,
    number: str = "",
    qr_url: str = "",
    synthetic: bool = False,
    variant: str = "",
    natural_settlement: bool = False,
    romanization: str | None = None,
    **overrides,
) -> Face:
    """A face of ``kind`` showing ``chinese`` (and ``number`` on plates) with the engine's romanization.

    ``romanization`` is only for a record's stored romanization (``face_for_record``), which the engine
    made or an officer decided; nobody types it for a face. ``overrides`` replace configured values
    (width_mm, height_mm, ground, ink, number_ground, number_ink, border_mm) for one face.
    """
    values = kind_settings(kind, variant)
    chinese, number = (chinese or "").strip(), (number or "").strip()
    if not chinese and not number:
        raise FaceError("a face needs a name or a number")
    if values["layout"] == "plate" and not chinese:
        raise FaceError(f"a {KINDS[kind]} shows the road or compound name: give it")
    if romanization is None:
        # Signs are written without tones, each word capitalised: what the engine's romanization is.
        romanization = romanize(chinese, natural_settlement=natural_settlement).romanization if chinese else ""
    if values["layout"] == "stacked":
        romanization = ""  # small plates carry no pinyin (Beijing's 小门牌; GB 17733.1's 小门牌 has none)
    unknown = set(overrides) - {"width_mm", "height_mm", "ground", "ink", "number_ground", "number_ink", "border_mm"}
    if unknown:
        raise FaceError(f"unknown face settings: {', '.join(sorted(unknown))}")
    values |= overrides
    face = Face(
        kind=kind,
        chinese=chinese,
        romanization=romanization.strip(),
        number=number,
        width_mm=float(values["width_mm"]),
        height_mm=float(values["height_mm"]),
        layout=values["layout"],
        ground=values["ground"],
        ink=values["ink"],
        number_ground=values["number_ground"],
        number_ink=values["number_ink"],
        border_mm=float(values.get("border_mm", 0)),
        qr_url=qr_url,
        synthetic=synthetic,
        variant=variant,
    )
    if face.width_mm <= 0 or face.height_mm <= 0:
        raise FaceError("a face needs a positive width and height")
    from gazetteer.signfaces.fonts import sign_font

    missing = sign_font().missing("".join(face.texts))
    if missing:
        raise FaceError(f"the sign font cannot draw {''.join(missing)}")
    return face


def record_url(place) -> str:
    """The public page of a place record, for a face's QR code."""
    return settings.GAZETTEER_URL.rstrip("/") + f"/places/{place.code}"


def face_for_record(place, kind: str, *, number: str = "", qr: bool = True, variant: str = "", **overrides) -> Face:
    """A face naming a place record (a road, a village, a compound): its current name and the
    romanization stored on the record (the engine's unless an officer decided otherwise); a synthetic
    record gives a synthetic face. ``qr`` links the face to the record's public page."""
    return face_for(
        kind,
        place.name,
        number=number,
        qr_url=record_url(place) if qr else "",
        synthetic=place.is_synthetic,
        variant=variant,
        romanization=place.romanization or None,
        **overrides,
    )


def with_size(face: Face, width_mm: float, height_mm: float) -> Face:
    return replace(face, width_mm=float(width_mm), height_mm=float(height_mm))

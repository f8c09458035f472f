"""Product pictures for the demo catalog, drawn as SVG: one simple silhouette per kind of product
(mug, kettle, lamp, T-shirt, sneaker, …) in a given colour, from the front or the side.

Deterministic and offline: the same shape, colour and view always give the same bytes. The demo
gallery can draw several pictures of one product by calling `product_svg` with other views or colours.
"""

from html import escape
from typing import Literal

WIDTH, HEIGHT = 640, 480
View = Literal["front", "side"]

# Each shape is SVG drawn on a 640 by 480 canvas, centred on x=320, in the fill "{c}" (the product's
# colour) with outlines and details in "{d}" (a darker shade) and highlights in "{l}" (a lighter one).
SHAPES: dict[str, str] = {
    "mug": (
        '<path d="M400 190 h30 a50 50 0 0 1 0 110 h-30" fill="none" stroke="{c}" stroke-width="26"/>'
        '<rect x="220" y="150" width="190" height="210" rx="22" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<ellipse cx="315" cy="152" rx="95" ry="16" fill="{d}"/>'
    ),
    "kettle": (
        '<path d="M230 360 L250 200 Q320 160 390 200 L410 360 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M250 220 L170 170 L180 160 L258 200" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M270 185 Q320 90 370 185" fill="none" stroke="{d}" stroke-width="16"/>'
        '<rect x="220" y="355" width="200" height="18" rx="6" fill="{d}"/>'
    ),
    "pan": (
        '<ellipse cx="270" cy="260" rx="140" ry="60" fill="{c}" stroke="{d}" stroke-width="8"/>'
        '<ellipse cx="270" cy="250" rx="115" ry="42" fill="{l}"/>'
        '<rect x="400" y="240" width="180" height="24" rx="12" fill="{d}"/>'
    ),
    "pot": (
        '<rect x="200" y="180" width="240" height="170" rx="20" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="185" y="165" width="270" height="22" rx="10" fill="{d}"/>'
        '<rect x="150" y="205" width="50" height="18" rx="9" fill="{d}"/>'
        '<rect x="440" y="205" width="50" height="18" rx="9" fill="{d}"/>'
        '<rect x="300" y="140" width="40" height="26" rx="8" fill="{d}"/>'
    ),
    "knife": (
        '<path d="M120 270 L420 230 L420 290 L140 290 Z" fill="{l}" stroke="{d}" stroke-width="5"/>'
        '<rect x="420" y="236" width="150" height="48" rx="18" fill="{c}" stroke="{d}" stroke-width="5"/>'
        '<circle cx="470" cy="260" r="6" fill="{l}"/><circle cx="525" cy="260" r="6" fill="{l}"/>'
    ),
    "board": (
        '<rect x="160" y="170" width="300" height="170" rx="26" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="460" y="230" width="60" height="50" rx="20" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<circle cx="495" cy="255" r="10" fill="{l}"/>'
        '<path d="M190 210 H430 M190 255 H430 M190 300 H430" stroke="{d}" stroke-width="3" opacity="0.4"/>'
    ),
    "whisk": (
        '<path d="M320 300 C220 200 250 100 320 90 C390 100 420 200 320 300" fill="none" stroke="{c}" '
        'stroke-width="8"/>'
        '<path d="M320 300 C270 200 285 110 320 90 C355 110 370 200 320 300" fill="none" stroke="{c}" '
        'stroke-width="8"/>'
        '<rect x="305" y="295" width="30" height="110" rx="14" fill="{d}"/>'
    ),
    "lamp": (
        '<path d="M240 130 H400 L440 250 H200 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="312" y="250" width="16" height="100" fill="{d}"/>'
        '<ellipse cx="320" cy="365" rx="90" ry="20" fill="{d}"/>'
        '<ellipse cx="320" cy="250" rx="40" ry="8" fill="{l}"/>'
    ),
    "textile": (
        '<rect x="170" y="140" width="300" height="220" rx="18" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M170 200 H470 M170 300 H470" stroke="{l}" stroke-width="10"/>'
        '<path d="M190 360 v18 M230 360 v18 M270 360 v18 M310 360 v18 M350 360 v18 M390 360 v18 M430 360 v18" '
        'stroke="{d}" stroke-width="6"/>'
    ),
    "basket": (
        '<path d="M180 200 H460 L430 360 H210 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M195 250 H445 M205 300 H435" stroke="{d}" stroke-width="4"/>'
        '<path d="M260 200 Q320 110 380 200" fill="none" stroke="{d}" stroke-width="12"/>'
    ),
    "clock": (
        '<circle cx="320" cy="240" r="140" fill="{c}" stroke="{d}" stroke-width="10"/>'
        '<circle cx="320" cy="240" r="118" fill="{l}"/>'
        '<path d="M320 240 V150 M320 240 L380 270" stroke="{d}" stroke-width="10" stroke-linecap="round"/>'
    ),
    "vase": (
        '<path d="M290 120 H350 V160 Q430 220 400 360 H240 Q210 220 290 160 Z" fill="{c}" stroke="{d}" '
        'stroke-width="6"/>'
        '<ellipse cx="320" cy="120" rx="34" ry="8" fill="{d}"/>'
    ),
    "bottle": (
        '<rect x="270" y="150" width="100" height="230" rx="34" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="292" y="110" width="56" height="44" rx="10" fill="{d}"/>'
        '<rect x="270" y="230" width="100" height="40" fill="{l}" opacity="0.6"/>'
    ),
    "headlamp": (
        '<ellipse cx="320" cy="240" rx="190" ry="70" fill="none" stroke="{d}" stroke-width="22"/>'
        '<rect x="265" y="275" width="110" height="80" rx="22" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<circle cx="320" cy="315" r="26" fill="{l}"/>'
    ),
    "backpack": (
        '<rect x="220" y="140" width="200" height="240" rx="50" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="250" y="270" width="140" height="80" rx="16" fill="{d}" opacity="0.5"/>'
        '<path d="M280 140 Q320 90 360 140" fill="none" stroke="{d}" stroke-width="12"/>'
    ),
    "poles": (
        '<path d="M260 380 L300 110 M380 380 L340 110" stroke="{c}" stroke-width="14" stroke-linecap="round"/>'
        '<rect x="285" y="95" width="30" height="60" rx="10" fill="{d}" transform="rotate(8 300 125)"/>'
        '<rect x="325" y="95" width="30" height="60" rx="10" fill="{d}" transform="rotate(-8 340 125)"/>'
    ),
    "jacket": (
        '<path d="M250 120 L190 150 L140 300 L190 315 L215 230 V380 H425 V230 L450 315 L500 300 L450 150 '
        'L390 120 Q320 160 250 120 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M320 150 V380" stroke="{d}" stroke-width="5"/>'
        '<path d="M260 120 Q320 70 380 120" fill="{c}" stroke="{d}" stroke-width="6"/>'
    ),
    "tarp": (
        '<path d="M120 340 L320 140 L520 340 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M320 140 V360" stroke="{d}" stroke-width="8"/>'
        '<path d="M100 360 H540" stroke="{d}" stroke-width="4"/>'
    ),
    "notebook": (
        '<rect x="220" y="110" width="210" height="270" rx="10" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="220" y="110" width="30" height="270" fill="{d}"/>'
        '<rect x="395" y="110" width="10" height="270" fill="{l}"/>'
    ),
    "pen": (
        '<rect x="160" y="222" width="280" height="36" rx="18" fill="{c}" stroke="{d}" stroke-width="5"/>'
        '<path d="M440 222 L520 240 L440 258 Z" fill="{d}"/>'
        '<rect x="200" y="208" width="120" height="10" rx="5" fill="{d}"/>'
    ),
    "stand": (
        '<rect x="150" y="200" width="340" height="30" rx="8" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="170" y="230" width="30" height="110" fill="{d}"/><rect x="440" y="230" width="30" height="110" '
        'fill="{d}"/>'
    ),
    "mat": (
        '<rect x="130" y="220" width="380" height="120" rx="18" fill="{c}" stroke="{d}" stroke-width="6" '
        'transform="skewX(-12) translate(50 0)"/>'
    ),
    "headphones": (
        '<path d="M210 300 V240 A110 110 0 0 1 430 240 V300" fill="none" stroke="{d}" stroke-width="20"/>'
        '<rect x="180" y="260" width="70" height="110" rx="30" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="390" y="260" width="70" height="110" rx="30" fill="{c}" stroke="{d}" stroke-width="6"/>'
    ),
    "speaker": (
        '<rect x="200" y="130" width="240" height="250" rx="30" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<circle cx="320" cy="290" r="60" fill="{d}"/><circle cx="320" cy="290" r="22" fill="{l}"/>'
        '<circle cx="320" cy="180" r="22" fill="{d}"/>'
    ),
    "earbuds": (
        '<circle cx="260" cy="220" r="50" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="245" y="250" width="30" height="110" rx="15" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<circle cx="380" cy="220" r="50" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="365" y="250" width="30" height="110" rx="15" fill="{c}" stroke="{d}" stroke-width="6"/>'
    ),
    "record": (
        '<circle cx="320" cy="240" r="150" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<circle cx="320" cy="240" r="110" fill="none" stroke="{d}" stroke-width="3" opacity="0.5"/>'
        '<circle cx="320" cy="240" r="45" fill="{l}"/><circle cx="320" cy="240" r="8" fill="{d}"/>'
    ),
    "radio": (
        '<rect x="160" y="170" width="320" height="200" rx="24" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<circle cx="250" cy="275" r="55" fill="{d}"/><rect x="330" y="215" width="120" height="40" rx="6" '
        'fill="{l}"/>'
        '<path d="M210 170 L380 100" stroke="{d}" stroke-width="6"/>'
    ),
    "trowel": (
        '<path d="M320 90 Q400 170 340 280 H300 Q240 170 320 90 Z" fill="{l}" stroke="{d}" stroke-width="6"/>'
        '<rect x="308" y="280" width="24" height="40" fill="{d}"/>'
        '<rect x="298" y="318" width="44" height="80" rx="18" fill="{c}" stroke="{d}" stroke-width="6"/>'
    ),
    "watering_can": (
        '<rect x="220" y="190" width="170" height="170" rx="20" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M220 240 L120 170 L110 185 L220 280" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M390 220 Q470 240 420 330" fill="none" stroke="{d}" stroke-width="16"/>'
    ),
    "planter": (
        '<path d="M220 240 H420 L395 380 H245 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="205" y="220" width="230" height="28" rx="6" fill="{d}"/>'
        '<path d="M320 220 Q280 140 230 130 Q300 150 320 220 Q340 120 410 110 Q350 150 320 220" fill="#3c8d3f"/>'
    ),
    "shears": (
        '<path d="M320 250 L180 110 M320 250 L460 110" stroke="{l}" stroke-width="18" stroke-linecap="round"/>'
        '<path d="M320 250 L240 380 M320 250 L400 380" stroke="{c}" stroke-width="30" stroke-linecap="round"/>'
        '<circle cx="320" cy="250" r="12" fill="{d}"/>'
    ),
    "gloves": (
        '<path d="M240 380 V210 Q240 190 255 190 Q270 190 270 210 V150 Q270 130 285 130 Q300 130 300 150 V140 '
        "Q300 120 315 120 Q330 120 330 140 V150 Q330 135 345 135 Q360 135 360 155 V240 L395 205 Q415 195 420 215 "
        'L370 300 V380 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="235" y="360" width="140" height="30" fill="{d}"/>'
    ),
    "suitcase": (
        '<rect x="220" y="150" width="200" height="230" rx="24" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M280 150 V110 H360 V150" fill="none" stroke="{d}" stroke-width="12"/>'
        '<path d="M270 170 V360 M320 170 V360 M370 170 V360" stroke="{d}" stroke-width="4" opacity="0.5"/>'
        '<circle cx="250" cy="390" r="12" fill="{d}"/><circle cx="390" cy="390" r="12" fill="{d}"/>'
    ),
    "bag": (
        '<rect x="170" y="200" width="300" height="170" rx="40" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M250 200 Q320 110 390 200" fill="none" stroke="{d}" stroke-width="14"/>'
        '<path d="M190 260 H450" stroke="{d}" stroke-width="5"/>'
    ),
    "pillow": (
        '<path d="M320 360 C180 360 160 260 200 180 C230 120 280 200 320 200 C360 200 410 120 440 180 '
        'C480 260 460 360 320 360 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
    ),
    "wallet": (
        '<rect x="210" y="140" width="220" height="250" rx="16" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<circle cx="320" cy="240" r="40" fill="none" stroke="{l}" stroke-width="6"/>'
    ),
    "tshirt": (
        '<path d="M260 120 L170 160 L130 240 L200 265 L215 230 V380 H425 V230 L440 265 L510 240 L470 160 '
        'L380 120 Q320 170 260 120 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
    ),
    "hoodie": (
        '<path d="M255 130 L175 165 L140 370 L205 375 L215 240 V385 H425 V240 L435 375 L500 370 L465 165 '
        'L385 130 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M255 135 Q320 40 385 135 Q320 185 255 135 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="260" y="300" width="120" height="55" rx="10" fill="none" stroke="{d}" stroke-width="5"/>'
    ),
    "sweater": (
        '<path d="M265 120 L180 155 L145 375 L205 380 L220 240 V385 H420 V240 L435 380 L495 375 L460 155 '
        'L375 120 Q320 150 265 120 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M220 360 H420 M155 355 H200 M440 355 H485" stroke="{d}" stroke-width="10"/>'
    ),
    "trousers": (
        '<path d="M240 110 H400 L430 390 H345 L320 200 L295 390 H210 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M240 135 H400" stroke="{d}" stroke-width="6"/>'
    ),
    "cap": (
        '<path d="M190 290 A130 120 0 0 1 450 290 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M420 285 Q520 285 540 310 H400 Z" fill="{d}"/><circle cx="320" cy="172" r="10" fill="{d}"/>'
    ),
    "sneaker": (
        '<path d="M130 330 V250 Q140 220 200 220 L270 200 Q300 250 360 250 L470 280 Q520 295 520 330 Z" '
        'fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="125" y="325" width="400" height="30" rx="12" fill="{l}" stroke="{d}" stroke-width="5"/>'
        '<path d="M270 225 L300 215 M290 240 L320 228 M310 250 L340 240" stroke="{l}" stroke-width="6"/>'
    ),
    "boot": (
        '<path d="M190 110 H330 V270 L460 300 Q510 315 510 345 H190 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<rect x="185" y="340" width="330" height="30" rx="8" fill="{d}"/>'
        '<path d="M330 150 H300 M330 190 H300 M330 230 H300" stroke="{l}" stroke-width="6"/>'
    ),
    "loafer": (
        '<path d="M140 330 Q140 260 220 260 L300 250 Q400 240 470 280 Q510 300 510 330 Z" fill="{c}" '
        'stroke="{d}" stroke-width="6"/>'
        '<path d="M330 255 Q380 260 400 285" fill="none" stroke="{d}" stroke-width="8"/>'
        '<rect x="135" y="325" width="380" height="22" rx="8" fill="{d}"/>'
    ),
    "sandal": (
        '<path d="M150 330 Q150 290 220 290 H470 Q520 290 520 330 Z" fill="{l}" stroke="{d}" stroke-width="6"/>'
        '<path d="M250 300 Q300 210 360 300 M390 300 Q420 250 450 300" fill="none" stroke="{c}" stroke-width="22"/>'
    ),
    "box": (
        '<path d="M200 190 L320 140 L440 190 V330 L320 380 L200 330 Z" fill="{c}" stroke="{d}" stroke-width="6"/>'
        '<path d="M200 190 L320 240 L440 190 M320 240 V380" fill="none" stroke="{d}" stroke-width="6"/>'
    ),
}
GENERIC = "box"


def shade(colour: str, amount: float) -> str:
    """`colour` (#rrggbb) mixed with black (amount < 0) or white (amount > 0), by |amount|."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    target = 255 if amount > 0 else 0
    mixed = (round(c + (target - c) * abs(amount)) for c in channels)
    return "#" + "".join(f"{c:02x}" for c in mixed)


def product_svg(shape: str, colour: str, *, view: View = "front", label: str = "") -> str:
    """A 640 by 480 SVG of a product of this kind (`SHAPES`; unknown kinds get a parcel) in `colour`.

    The side view shows the silhouette turned and smaller, on a darker floor, so that two pictures of
    one product differ; `label` (a category, say) is written along the bottom."""
    drawing = SHAPES.get(shape, SHAPES[GENERIC]).format(c=colour, d=shade(colour, -0.45), l=shade(colour, 0.55))
    if view == "side":
        drawing = f'<g transform="translate(600 40) scale(-0.85 0.85)">{drawing}</g>'
    background = shade(colour, 0.85 if view == "front" else 0.75)
    caption = (
        f'<text x="320" y="450" font-family="system-ui, sans-serif" font-size="26" text-anchor="middle" '
        f'fill="{shade(colour, -0.55)}">{escape(label)}</text>'
        if label
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{background}"/>'
        f'<ellipse cx="320" cy="400" rx="210" ry="18" fill="{shade(colour, -0.6)}" opacity="0.15"/>'
        f"{drawing}{caption}</svg>"
    )


def product_png(shape: str, colour: str, *, view: View = "front") -> bytes:
    """`product_svg` drawn as a 640 by 480 PNG by resvg (a wheel with no system library), so that the demo
    pictures get WebP renditions like uploaded photos. No caption: text would depend on the fonts the
    machine has, and the same arguments must give the same bytes everywhere."""
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(svg_string=product_svg(shape, colour, view=view), skip_system_fonts=True))

"""Build a deterministic demo catalog: categories, products with variants (sizes and colours for
apparel and shoes), brands, and locally drawn pictures of each kind of product: a front and a side view,
one pair per colour for products sold in colours (those belong to that colour's variants). Identical
drawings are one file (and one set of renditions) however many products show them.

python manage.py seed_catalog                      # 60 products, seed 1
python manage.py seed_catalog --products 10000     # bulk inserts; about 30 000 variants in a few seconds
python manage.py seed_catalog --if-empty           # do nothing when products exist (used by `make run`)
python manage.py seed_catalog --replace            # delete the catalog and build it again
"""

import hashlib
import multiprocessing
import os
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from multiprocessing.pool import AsyncResult
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from storefront.catalog_version import catalog_changed
from storefront.demo_pictures import View, product_png
from storefront.models import Category, OptionType, OptionValue, Product, ProductPicture, StockMovement, Variant
from storefront.pictures import Rendition, renditions_make
from storefront.services import StockChange, stock_record

# Every product's created_at lies before this instant, so the same seed always gives the same catalog.
REFERENCE_TIME = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
MAX_PRODUCTS = 100_000
BATCH_SIZE = 1_000
IMAGE_DIR = PurePosixPath("products/demo")
VIEWS: tuple[View, ...] = ("front", "side")


@dataclass(frozen=True)
class Kind:
    """A kind of product: its name, the picture's shape, the price range in whole euros, and a line
    for its description."""

    noun: str
    shape: str
    price_range: tuple[int, int]
    line: str


@dataclass(frozen=True)
class CategorySpec:
    name: str
    description: str
    kinds: tuple[Kind, ...]
    adjectives: tuple[str, ...]
    materials: tuple[str, ...]
    uses: tuple[str, ...]
    brands: tuple[str, ...]
    colour: str  # the picture's colour when neither the material nor a variant gives one
    options: str = ""  # "apparel" or "shoes": sold in sizes and colours


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "Kitchen",
        "Cookware, knives and the small tools that make a kitchen work.",
        (
            Kind("Skillet", "pan", (25, 140), "Heats evenly from the centre to the rim."),
            Kind("Chef's Knife", "knife", (30, 220), "Holds its edge through a season of chopping."),
            Kind("Saucepan", "pot", (20, 120), "A pouring lip on both sides and a lid that sits snug."),
            Kind("Cutting Board", "board", (15, 90), "A juice groove keeps the counter dry."),
            Kind("Dutch Oven", "pot", (60, 320), "Goes from the hob to the oven to the table."),
            Kind("Colander", "pot", (10, 45), "Stands steady in the sink on three wide feet."),
            Kind("Whisk", "whisk", (6, 30), "Eleven wires for light cream and smooth sauces."),
            Kind("Kettle", "kettle", (25, 150), "Boils a litre in under four minutes."),
        ),
        ("Classic", "Everyday", "Pro", "Compact", "Heavy-Duty", "Nordic"),
        ("cast iron", "stainless steel", "oak", "enamelled steel", "carbon steel", "bamboo"),
        ("weeknight dinners", "slow Sunday roasts", "small kitchens", "batch cooking"),
        ("Ironhearth", "Kovač & Sons", "Brightpan", "Nordkök", "Saltmarsh"),
        "#1f4e79",
    ),
    CategorySpec(
        "Home",
        "Lamps, textiles and storage for a calmer home.",
        (
            Kind("Table Lamp", "lamp", (35, 190), "A warm, glare-free light with a fabric cord."),
            Kind("Throw Blanket", "textile", (40, 180), "Large enough for two on the sofa."),
            Kind("Cushion Cover", "textile", (15, 60), "A hidden zip and a feather-free insert."),
            Kind("Storage Basket", "basket", (18, 75), "Folds flat when it is not needed."),
            Kind("Wall Clock", "clock", (25, 140), "A silent sweep movement: no ticking at night."),
            Kind("Vase", "vase", (15, 110), "Watertight, for fresh flowers as well as dried ones."),
            Kind("Doormat", "mat", (15, 70), "Catches grit and dries quickly."),
        ),
        ("Soft", "Woven", "Minimal", "Rustic", "Modern", "Coastal"),
        ("linen", "wool", "seagrass", "ceramic", "walnut", "recycled cotton"),
        ("living rooms", "reading corners", "guest rooms", "entryways"),
        ("Hearth & Loom", "Casa Lenta", "Maple Row", "Stillhaus", "Tidewater"),
        "#6b3e26",
    ),
    CategorySpec(
        "Outdoor",
        "Gear for hiking, camping and long days outside.",
        (
            Kind("Daypack", "backpack", (40, 180), "Twenty-two litres, with a sleeve for a water bladder."),
            Kind("Water Bottle", "bottle", (12, 55), "Leak-proof, and it fits a car's cup holder."),
            Kind("Headlamp", "headlamp", (20, 90), "Three brightness levels and a red light for the tent."),
            Kind("Camping Mug", "mug", (8, 40), "Stacks inside a pot and packs to nothing."),
            Kind("Trekking Poles", "poles", (40, 180), "Adjust with one flick, even in gloves."),
            Kind("Rain Jacket", "jacket", (80, 320), "Taped seams and pit zips for the climbs."),
            Kind("Tarp", "tarp", (35, 160), "Pitches in minutes with two poles or two trees."),
        ),
        ("Trail", "Alpine", "Lightweight", "Weatherproof", "Rugged", "Packable"),
        ("ripstop nylon", "titanium", "aluminium", "recycled polyester", "waxed canvas"),
        ("day hikes", "wet weekends", "overnight trips", "city commutes"),
        ("Ridgeline", "Fjellvik", "Cairn & Co.", "Northbound", "Summit Supply"),
        "#2d5a27",
    ),
    CategorySpec(
        "Office",
        "Desks need good tools: notebooks, pens and organisers that last.",
        (
            Kind("Notebook", "notebook", (6, 30), "Fountain-pen friendly paper that does not bleed."),
            Kind("Fountain Pen", "pen", (20, 160), "A steel nib that writes from the first stroke."),
            Kind("Desk Organiser", "box", (15, 70), "A place for pens, cards and the phone."),
            Kind("Monitor Stand", "stand", (35, 150), "Raises the screen to eye level, with room beneath."),
            Kind("Pencil Case", "wallet", (8, 40), "Room for a dozen pens and a ruler."),
            Kind("Desk Mat", "mat", (18, 80), "Smooth for the mouse, soft for writing."),
            Kind("Planner", "notebook", (12, 40), "Undated pages, so it starts when you do."),
        ),
        ("Dot-Grid", "Executive", "Slim", "Studio", "Everyday", "Archival"),
        ("recycled paper", "brass", "felt", "beech", "vegetable-tanned leather", "anodised aluminium"),
        ("home offices", "note-taking", "long meetings", "tidy desks"),
        ("Quillmark", "Deskwright", "Papier Blanc", "Inkwell Works", "Ledgerly"),
        "#4a3b78",
    ),
    CategorySpec(
        "Audio",
        "Headphones and speakers tuned for music, calls and podcasts.",
        (
            Kind("Headphones", "headphones", (50, 380), "Thirty hours of play and soft memory-foam pads."),
            Kind("Bluetooth Speaker", "speaker", (35, 250), "Fills a room and survives a splash."),
            Kind("Earbuds", "earbuds", (30, 220), "A pocketable case with three extra charges."),
            Kind("Turntable Mat", "record", (12, 45), "Damps the rumble for a quieter groove."),
            Kind("Headphone Stand", "stand", (18, 70), "Keeps the headband in shape and the desk tidy."),
            Kind("Radio", "radio", (40, 200), "DAB+ and FM, with presets for the stations you love."),
        ),
        ("Wireless", "Studio", "Portable", "Noise-Cancelling", "Retro", "Compact"),
        ("aluminium", "fabric-wrapped", "walnut-veneer", "matte polymer", "cork"),
        ("commutes", "focused work", "small rooms", "travel"),
        ("Soundry", "Halvorsen Audio", "Moddle", "Resonanz", "Bluewave"),
        "#202124",
    ),
    CategorySpec(
        "Garden",
        "Tools, pots and seeds for balconies and back gardens.",
        (
            Kind("Trowel", "trowel", (8, 35), "A sharp edge that cuts through roots."),
            Kind("Watering Can", "watering_can", (15, 60), "A long spout and a fine rose for seedlings."),
            Kind("Planter", "planter", (15, 120), "A drainage hole and a saucer included."),
            Kind("Pruning Shears", "shears", (15, 75), "A clean cut that helps the plant heal."),
            Kind("Seed Kit", "planter", (8, 35), "Six easy herbs, with labels and a growing guide."),
            Kind("Garden Gloves", "gloves", (8, 35), "Thorn-proof palms and breathable backs."),
            Kind("Kneeler", "mat", (12, 45), "Turns into a seat when you flip it over."),
        ),
        ("Balcony", "Heritage", "Ergonomic", "Terracotta", "Weatherproof", "Compact"),
        ("galvanised steel", "terracotta", "ash wood", "recycled plastic", "goatskin leather"),
        ("balcony gardens", "herb beds", "spring planting", "raised beds"),
        ("Greenthumb", "Hedgerow", "Gärtnerei Linde", "Potting Shed", "Wildroot"),
        "#7a5c00",
    ),
    CategorySpec(
        "Travel",
        "Bags, organisers and comforts for getting there in one piece.",
        (
            Kind("Carry-On", "suitcase", (90, 360), "Fits the cabin limits of most airlines."),
            Kind("Packing Cubes", "box", (18, 60), "Three sizes that zip into one another."),
            Kind("Travel Pillow", "pillow", (15, 50), "Holds the head without pushing it forward."),
            Kind("Toiletry Bag", "bag", (15, 70), "Hangs from a hook and opens flat."),
            Kind("Passport Wallet", "wallet", (15, 80), "Room for a passport, cards and a boarding pass."),
            Kind("Weekender", "bag", (60, 280), "Slides over a suitcase's handle."),
        ),
        ("Expandable", "Featherweight", "Carry-All", "Voyager", "Slimline", "Hard-Shell"),
        ("polycarbonate", "nylon twill", "full-grain leather", "memory foam", "canvas"),
        ("short breaks", "business trips", "long-haul flights", "weekends away"),
        ("Wayfarer & Co.", "Globetrot", "Reisewerk", "Jetsam", "Harbour Line"),
        "#8a1c2b",
    ),
    CategorySpec(
        "Apparel",
        "T-shirts, hoodies and knitwear in sizes XS to XXL.",
        (
            Kind("T-Shirt", "tshirt", (15, 45), "A regular fit that keeps its shape wash after wash."),
            Kind("Hoodie", "hoodie", (45, 110), "A brushed inside, a lined hood and a roomy pocket."),
            Kind("Sweater", "sweater", (50, 160), "Ribbed cuffs and hem; warm without bulk."),
            Kind("Chinos", "trousers", (45, 120), "A tapered leg with a little stretch."),
            Kind("Cap", "cap", (15, 40), "An adjustable strap and a curved brim."),
        ),
        ("Essential", "Relaxed", "Heavyweight", "Slim-Fit", "Organic", "Vintage"),
        ("organic cotton", "merino wool", "linen", "recycled polyester", "cotton twill"),
        ("everyday wear", "layering", "warm afternoons", "the weekend"),
        ("Threadbare", "Noord Atelier", "Common Cloth", "Fernweh", "Loomwell"),
        "#37474f",
        options="apparel",
    ),
    CategorySpec(
        "Shoes",
        "Sneakers, boots and sandals in EU sizes 38 to 46.",
        (
            Kind("Sneakers", "sneaker", (60, 160), "A cushioned sole that is good for a full day."),
            Kind("Running Shoes", "sneaker", (80, 190), "A breathable mesh upper and a responsive midsole."),
            Kind("Boots", "boot", (110, 290), "A grippy sole and a padded collar."),
            Kind("Loafers", "loafer", (80, 220), "Slip on, with a leather lining."),
            Kind("Sandals", "sandal", (30, 95), "Adjustable straps and a contoured footbed."),
        ),
        ("Urban", "Classic", "Trail", "Lightweight", "Everyday", "Handmade"),
        ("suede", "full-grain leather", "recycled knit", "canvas", "nubuck"),
        ("city walks", "long days on your feet", "summer evenings", "the office"),
        ("Stride & Sole", "Kestrel Footwear", "Leisten", "Paceworks", "Cobble"),
        "#5d4037",
        options="shoes",
    ),
)

# How dear a material or an adjective makes a product within its kind's price range: 0 is the
# cheapest end, 1 the dearest (titanium > steel > plastic; unknown words sit in the middle).
TIERS: dict[str, float] = {
    "titanium": 0.95,
    "full-grain leather": 0.85,
    "vegetable-tanned leather": 0.85,
    "merino wool": 0.85,
    "walnut": 0.8,
    "walnut-veneer": 0.75,
    "brass": 0.8,
    "cast iron": 0.7,
    "carbon steel": 0.65,
    "suede": 0.7,
    "nubuck": 0.65,
    "wool": 0.7,
    "linen": 0.6,
    "anodised aluminium": 0.6,
    "stainless steel": 0.55,
    "enamelled steel": 0.5,
    "oak": 0.6,
    "ash wood": 0.55,
    "beech": 0.5,
    "goatskin leather": 0.6,
    "ceramic": 0.5,
    "aluminium": 0.45,
    "galvanised steel": 0.4,
    "polycarbonate": 0.5,
    "waxed canvas": 0.55,
    "organic cotton": 0.5,
    "cotton twill": 0.45,
    "terracotta": 0.35,
    "bamboo": 0.35,
    "felt": 0.35,
    "cork": 0.35,
    "seagrass": 0.35,
    "canvas": 0.35,
    "nylon twill": 0.4,
    "ripstop nylon": 0.4,
    "recycled cotton": 0.35,
    "recycled knit": 0.45,
    "recycled polyester": 0.3,
    "matte polymer": 0.25,
    "fabric-wrapped": 0.4,
    "memory foam": 0.4,
    "recycled paper": 0.2,
    "recycled plastic": 0.1,
}
ADJECTIVE_TIERS: dict[str, float] = {
    "Pro": 0.2,
    "Heavy-Duty": 0.15,
    "Executive": 0.2,
    "Studio": 0.15,
    "Noise-Cancelling": 0.2,
    "Handmade": 0.2,
    "Heritage": 0.1,
    "Alpine": 0.1,
    "Archival": 0.1,
    "Hard-Shell": 0.1,
    "Compact": -0.1,
    "Everyday": -0.1,
    "Essential": -0.15,
    "Slim": -0.05,
    "Balcony": -0.1,
}

# The picture's colour for a material that has one of its own.
MATERIAL_COLOURS: dict[str, str] = {
    "cast iron": "#3b3b3b",
    "stainless steel": "#9aa3ab",
    "carbon steel": "#5b6168",
    "titanium": "#8d939a",
    "aluminium": "#a7adb3",
    "anodised aluminium": "#5a7184",
    "galvanised steel": "#8f9aa0",
    "brass": "#b08d3c",
    "oak": "#b0834f",
    "walnut": "#6b4a2f",
    "walnut-veneer": "#7a5234",
    "beech": "#d2a878",
    "ash wood": "#c7a27a",
    "bamboo": "#c9b06b",
    "cork": "#b88a5a",
    "terracotta": "#c3623b",
    "seagrass": "#a89a5c",
    "ceramic": "#5f8fa6",
    "felt": "#7d7f86",
    "vegetable-tanned leather": "#8b5a2b",
    "full-grain leather": "#6f4325",
    "goatskin leather": "#a0703f",
    "waxed canvas": "#6c6a3b",
}

# Option values: created once (get_or_create), in this order.
APPAREL_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES = tuple(str(size) for size in range(38, 47))
COLOURS: tuple[tuple[str, str], ...] = (
    ("Black", "#212121"),
    ("White", "#f2f2f2"),
    ("Navy", "#1f3a5f"),
    ("Grey", "#8a8d91"),
    ("Red", "#b3261e"),
    ("Forest", "#2e6b3a"),
    ("Sand", "#d2b98c"),
    ("Ochre", "#c98a1b"),
)

# Phrased so that plural nouns ("Packing Cubes") read as well as singular ones.
OPENINGS = (
    "Made for {use}: {material} with a {finish} finish.",
    "Our {adjective} {noun}, in {material}, built for {use} and years of daily use.",
    "The {noun} we reach for first: {material}, well balanced and easy to care for.",
    "Designed for {use}, in {material} with a {finish} finish.",
    "{brand} makes this {adjective} {noun} in {material}, for {use}.",
    "In {material}, for {use}: simple to look at, pleasant to use.",
)
FINISHES = ("matte", "natural", "brushed", "hand-oiled", "satin", "powder-coated")
DETAILS = (
    "Backed by a two-year warranty.",
    "Ships in plastic-free packaging.",
    "Easy to clean; ages beautifully.",
    "Tested by our team for a full season.",
    "Repairable, with spare parts available.",
    "A favourite among returning customers.",
)
# Apparel and shoes get these instead of "Easy to clean" and friends.
WEAR_DETAILS = (
    "True to size; see the size guide for measurements.",
    "Free returns within 30 days.",
    "Made in a certified fair-wage factory.",
    "Machine washable at 30 °C.",
    "Designed to be worn for years, not a season.",
)


class Command(BaseCommand):
    help = "Build a deterministic demo catalog (categories, products with variants, and SVG pictures)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=60, help="How many products to create (default 60).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same catalog.")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--if-empty", action="store_true", help="Do nothing when the catalog already has products.")
        mode.add_argument("--replace", action="store_true", help="Delete the existing catalog first.")
        parser.add_argument("--no-images", action="store_true", help="Skip writing product pictures.")

    def handle(
        self,
        *args: object,
        products: int,
        seed: int,
        if_empty: bool,
        replace: bool,
        no_images: bool,
        **options: object,
    ) -> None:
        if not 1 <= products <= MAX_PRODUCTS:
            raise CommandError(f"--products must be between 1 and {MAX_PRODUCTS}.")
        existing = Product.objects.count()
        if existing and if_empty:
            self.stdout.write(f"The catalog already has {existing} products; nothing to do.")
            return
        if existing and not replace:
            raise CommandError(
                f"The catalog already has {existing} products. Pass --replace to rebuild it or --if-empty to keep it."
            )
        started = time.perf_counter()
        old_images: set[str] = set()
        try:
            with transaction.atomic():
                if replace:
                    old_images = files_of(ProductPicture.objects.all())
                    Product.objects.all().delete()
                    Category.objects.all().delete()
                new_images = build_catalog(products, seed, images=not no_images)
                catalog_changed()
        except ProtectedError:
            raise CommandError("Cannot replace the catalog: orders still refer to its products.") from None
        for name in old_images - new_images:
            default_storage.delete(name)
        elapsed = time.perf_counter() - started
        variants = Variant.objects.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {len(CATEGORIES)} categories, {products} products and {variants} variants in {elapsed:.1f} s."
            )
        )


def files_of(pictures: "models.QuerySet[ProductPicture]") -> set[str]:
    """The stored files of these pictures: the originals and their renditions."""
    files: set[str] = set()
    for image, renditions in pictures.values_list("image", "renditions").iterator():
        files.add(image)
        files.update(rendition["name"] for rendition in renditions)
    return files


@dataclass
class SeedProduct:
    """A product about to be inserted, with its variants and each variant's option value ids."""

    product: Product
    kind: Kind
    option_type_ids: list[int]
    variants: list[tuple[Variant, list[int]]]


@dataclass
class DemoFile:
    name: str
    width: int
    height: int
    renditions: list[Rendition]


def draw(key: tuple[str, str, View]) -> DemoFile:
    """One demo drawing as a PNG named by its content, with its renditions (a file already stored is
    not written again)."""
    shape, colour, view = key
    png = product_png(shape, colour, view=view)
    name = str(IMAGE_DIR / f"{shape}-{view}-{hashlib.sha256(png).hexdigest()[:12]}.png")
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(png))
    renditions, (width, height) = renditions_make(name)
    return DemoFile(name, width, height, renditions)


def draw_all(
    keys: list[tuple[str, str, View]],
) -> "AsyncResult[list[DemoFile]]":
    """Start drawing `keys` in worker processes (forked: they share this process's settings and touch
    no database), so that the drawings are made while the products are inserted."""
    pool = multiprocessing.get_context("fork").Pool(min(4, os.cpu_count() or 1))
    result = pool.map_async(draw, keys, chunksize=8)
    pool.close()
    return result


def picture_rows(
    item: SeedProduct, colours: list[tuple[OptionValue | None, str]], files: dict[tuple[str, str, View], DemoFile]
) -> list[ProductPicture]:
    """A front and a side view per colour (one colour for a product without options); the pictures of a
    colour belong to that colour's variants."""
    rows: list[ProductPicture] = []
    for value, colour in colours:
        for view in VIEWS:
            file = files[(item.kind.shape, colour, view)]
            what = f"{value.value} {item.product.name}" if value is not None else item.product.name
            rows.append(
                ProductPicture(
                    product=item.product,
                    position=len(rows),
                    image=file.name,
                    alt_text=f"{what}, {view} view",
                    colour=value,
                    width=file.width,
                    height=file.height,
                    renditions=file.renditions,
                )
            )
    return rows


@dataclass(frozen=True)
class Options:
    """The option types and values the demo catalog uses, created once."""

    size: OptionType
    colour: OptionType
    sizes: dict[str, OptionValue]
    colours: dict[str, OptionValue]


def build_catalog(count: int, seed: int, *, images: bool = True) -> set[str]:
    """Create the categories and `count` products with their variants; return the names of the images
    written."""
    rng = random.Random(seed)
    categories = Category.objects.bulk_create(
        Category(name=spec.name, slug=slugify(spec.name), description=spec.description) for spec in CATEGORIES
    )
    options = options_get_or_create()
    slugs: set[str] = set()
    made = []
    for index in range(count):
        position = index % len(CATEGORIES)
        spec, category = CATEGORIES[position], categories[position]
        made.append(make_product(rng, spec, category, index, slugs, options))
    keys = sorted(
        {(item.kind.shape, colour, view) for item, colours in made for _, colour in colours for view in VIEWS}
    )
    # A few drawings are quicker made here than in worker processes; and a process with other threads
    # (a test's live server) is not forked, since a fork copies locks those threads may hold.
    parallel = images and len(keys) > 40 and threading.active_count() == 1
    drawing = draw_all(keys) if parallel else None
    for start in range(0, len(made), BATCH_SIZE):
        create_with_opening_stock([item for item, _ in made[start : start + BATCH_SIZE]])
    if not images:
        return set()
    files = dict(zip(keys, drawing.get() if drawing is not None else map(draw, keys), strict=True))
    ProductPicture.objects.bulk_create(
        (picture for item, colours in made for picture in picture_rows(item, colours, files)), batch_size=BATCH_SIZE
    )
    return {name for file in files.values() for name in (file.name, *(r["name"] for r in file.renditions))}


def options_get_or_create() -> Options:
    size, _ = OptionType.objects.get_or_create(name="Size", defaults={"kind": OptionType.Kind.TEXT, "position": 0})
    colour, _ = OptionType.objects.get_or_create(
        name="Colour", defaults={"kind": OptionType.Kind.COLOUR, "position": 1}
    )
    sizes = {
        value: OptionValue.objects.get_or_create(option_type=size, value=value, defaults={"position": position})[0]
        for position, value in enumerate((*APPAREL_SIZES, *SHOE_SIZES))
    }
    colours = {
        value: OptionValue.objects.get_or_create(
            option_type=colour, value=value, defaults={"position": position, "swatch": swatch}
        )[0]
        for position, (value, swatch) in enumerate(COLOURS)
    }
    return Options(size, colour, sizes, colours)


def create_with_opening_stock(items: list[SeedProduct]) -> None:
    """Insert the products, their variants and their option values, and log each variant's opening
    stock, so that every stock figure can be explained. A product's stock is the sum of its variants'
    (all of them active), computed here rather than by a query per product."""
    for item in items:
        item.product.stock_quantity = sum(variant.stock_quantity for variant, _ in item.variants)
    Product.objects.bulk_create(item.product for item in items)
    Product.option_types.through.objects.bulk_create(
        Product.option_types.through(product_id=item.product.pk, optiontype_id=type_id)
        for item in items
        for type_id in item.option_type_ids
    )
    pairs = [pair for item in items for pair in item.variants]
    variants = Variant.objects.bulk_create(variant for variant, _ in pairs)
    Variant.option_values.through.objects.bulk_create(
        Variant.option_values.through(variant_id=variant.pk, optionvalue_id=value_id)
        for variant, (_, value_ids) in zip(variants, pairs, strict=True)
        for value_id in value_ids
    )
    opening = [
        StockChange(variant.product_id, variant.stock_quantity, variant.stock_quantity, variant.pk)
        for variant in variants
        if variant.stock_quantity
    ]
    stock_record(kind=StockMovement.Kind.ADJUSTMENT, changes=opening, note="Demo catalog")


def make_product(
    rng: random.Random, spec: CategorySpec, category: Category, index: int, slugs: set[str], options: Options
) -> tuple[SeedProduct, list[tuple[OptionValue | None, str]]]:
    """The product (not yet saved) with its variants, and the colours of its pictures: the colour option
    values it is sold in with their swatches, or (None, one colour) for a product without options."""
    kind, adjective, material, use, brand = (
        rng.choice(spec.kinds),
        rng.choice(spec.adjectives),
        rng.choice(spec.materials),
        rng.choice(spec.uses),
        rng.choice(spec.brands),
    )
    # "Organic Cotton Cap", not "Organic Organic Cotton Cap": an adjective the material already says goes.
    said = adjective.lower() in material.lower().split()
    name = f"{material.title()} {kind.noun}" if said else f"{adjective} {material.title()} {kind.noun}"
    slug = base = slugify(name)
    suffix = 2
    while slug in slugs:
        slug = f"{base}-{suffix}"
        suffix += 1
    slugs.add(slug)
    if slug != base:
        name = f"{name} No. {suffix - 1}"
    words = {"adjective": adjective.lower(), "noun": kind.noun.lower(), "material": material, "use": use}
    opening = rng.choice(OPENINGS).format(finish=rng.choice(FINISHES), brand=brand, **words)
    details = rng.sample(WEAR_DETAILS if spec.options else DETAILS, 2)
    description = " ".join((opening[0].upper() + opening[1:], kind.line, *details))
    tier = TIERS.get(material, 0.5) + ADJECTIVE_TIERS.get(adjective, 0.0)
    product = Product(
        category=category,
        name=name,
        slug=slug,
        brand=brand,
        description=description,
        price=make_price(rng, *kind.price_range, tier=tier),
        is_active=rng.random() >= 0.03,
        created_at=REFERENCE_TIME - timedelta(hours=index * 7, minutes=rng.randrange(60)),
    )
    if not spec.options:
        # The material's colour, else the category's: few distinct drawings, so few files to make. The
        # palette is still drawn from as it was, so that the rest of the catalog stays the same for a seed.
        colour = MATERIAL_COLOURS.get(material, "")
        if not colour:
            rng.choice((spec.colour, *(swatch for _, swatch in COLOURS)))
            colour = spec.colour
        variant = Variant(product=product, sku=slug, stock_quantity=make_stock(rng))
        return SeedProduct(product, kind, [], [(variant, [])]), [(None, colour)]
    variants, colours = make_variants(rng, product, spec.options, options)
    pictured: list[tuple[OptionValue | None, str]] = [(options.colours[name], swatch) for name, swatch in colours]
    return SeedProduct(product, kind, [options.size.pk, options.colour.pk], variants), pictured


def make_variants(
    rng: random.Random, product: Product, sizing: str, options: Options
) -> tuple[list[tuple[Variant, list[int]]], list[tuple[str, str]]]:
    """The sizes and colours a product sells: a run of four to seven sizes in two or three colours, with
    about one combination in eight missing, some sold out, and sometimes a dearer price for the largest
    sizes."""
    all_sizes, lengths, colour_counts = (
        (APPAREL_SIZES, (4, 6), (2, 3)) if sizing == "apparel" else (SHOE_SIZES, (4, 7), (2, 2, 3))
    )
    length = rng.randint(*lengths)
    first = rng.randrange(len(all_sizes) - length + 1)
    sizes = all_sizes[first : first + length]
    colours = sorted(rng.sample(range(len(COLOURS)), rng.choice(colour_counts)))
    surcharge = Decimal(rng.choice((2, 3, 5))) if rng.random() < 0.3 else None
    dearer = set(sizes[-2:] if sizing == "shoes" else sizes[-1:])
    variants: list[tuple[Variant, list[int]]] = []
    for colour_index in colours:
        colour_name = COLOURS[colour_index][0]
        for size in sizes:
            if variants and rng.random() < 0.12:
                continue  # a combination this product does not sell
            variant = Variant(
                product=product,
                sku=f"{product.slug}-{slugify(size)}-{slugify(colour_name)}",
                price=product.price + surcharge if surcharge and size in dearer else None,
                stock_quantity=0 if rng.random() < 0.1 else make_stock(rng),
                options_text=f"Size {size}, Colour {colour_name}",
                position=len(variants),
            )
            variants.append((variant, [options.sizes[size].pk, options.colours[colour_name].pk]))
    sold = {value_ids[1] for _, value_ids in variants}
    return variants, [COLOURS[i] for i in colours if options.colours[COLOURS[i][0]].pk in sold]


def make_price(rng: random.Random, low: int, high: int, *, tier: float = 0.5) -> Decimal:
    """A shop-like price (4.99, 29.95, 149.00) between low and high, on a log scale: `tier` (0 cheap,
    1 dear: the material and the adjective) sets where, with some spread either side."""
    position = min(1.0, max(0.0, tier + (rng.random() - 0.5) * 0.5))
    whole = min(max(round(low * (high / low) ** position), low + 1), high)
    return Decimal(whole) - Decimal(rng.choice(("0.01", "0.01", "0.05", "0.00")))


def make_stock(rng: random.Random) -> int:
    """About one article in ten is out of stock and one in ten is nearly gone."""
    roll = rng.random()
    if roll < 0.1:
        return 0
    if roll < 0.2:
        return rng.randint(1, 5)
    return rng.randint(6, 120)

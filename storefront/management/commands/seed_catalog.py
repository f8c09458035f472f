"""Build a deterministic demo catalog: categories, products and locally drawn SVG placeholder images.

python manage.py seed_catalog                      # 60 products, seed 1
python manage.py seed_catalog --products 10000     # bulk inserts; a few seconds
python manage.py seed_catalog --if-empty           # do nothing when products exist (used by `make run`)
python manage.py seed_catalog --replace            # delete the catalog and build it again
"""

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import escape
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from storefront.models import Category, Product, StockMovement, Variant
from storefront.services import StockChange, stock_record

# Every product's created_at lies before this instant, so the same seed always gives the same catalog.
REFERENCE_TIME = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
MAX_PRODUCTS = 100_000
BATCH_SIZE = 1_000
IMAGE_DIR = PurePosixPath("products")


@dataclass(frozen=True)
class CategorySpec:
    name: str
    description: str
    nouns: tuple[str, ...]
    adjectives: tuple[str, ...]
    materials: tuple[str, ...]
    uses: tuple[str, ...]
    price_range: tuple[int, int]
    colours: tuple[str, str]  # background, foreground of the placeholder image


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "Kitchen",
        "Cookware, knives and the small tools that make a kitchen work.",
        ("Skillet", "Chef's Knife", "Saucepan", "Cutting Board", "Dutch Oven", "Colander", "Whisk", "Kettle"),
        ("Classic", "Everyday", "Pro", "Compact", "Heavy-Duty", "Nordic"),
        ("cast iron", "stainless steel", "oak", "enamelled steel", "carbon steel", "bamboo"),
        ("weeknight dinners", "slow Sunday roasts", "small kitchens", "batch cooking"),
        (9, 240),
        ("#1f4e79", "#dbe9f6"),
    ),
    CategorySpec(
        "Home",
        "Lamps, textiles and storage for a calmer home.",
        ("Table Lamp", "Throw Blanket", "Cushion Cover", "Storage Basket", "Wall Clock", "Vase", "Doormat"),
        ("Soft", "Woven", "Minimal", "Rustic", "Modern", "Coastal"),
        ("linen", "wool", "seagrass", "ceramic", "walnut", "recycled cotton"),
        ("living rooms", "reading corners", "guest rooms", "entryways"),
        (12, 180),
        ("#6b3e26", "#f5e6da"),
    ),
    CategorySpec(
        "Outdoor",
        "Gear for hiking, camping and long days outside.",
        ("Daypack", "Water Bottle", "Headlamp", "Camping Mug", "Trekking Poles", "Rain Jacket", "Tarp"),
        ("Trail", "Alpine", "Lightweight", "Weatherproof", "Rugged", "Packable"),
        ("ripstop nylon", "titanium", "aluminium", "recycled polyester", "waxed canvas"),
        ("day hikes", "wet weekends", "overnight trips", "city commutes"),
        (8, 320),
        ("#2d5a27", "#e1f0dc"),
    ),
    CategorySpec(
        "Office",
        "Desks need good tools: notebooks, pens and organisers that last.",
        ("Notebook", "Fountain Pen", "Desk Organiser", "Monitor Stand", "Pencil Case", "Desk Mat", "Planner"),
        ("Dot-Grid", "Executive", "Slim", "Studio", "Everyday", "Archival"),
        ("recycled paper", "brass", "felt", "beech", "vegetable-tanned leather", "anodised aluminium"),
        ("home offices", "note-taking", "long meetings", "tidy desks"),
        (4, 150),
        ("#4a3b78", "#e8e3f7"),
    ),
    CategorySpec(
        "Audio",
        "Headphones and speakers tuned for music, calls and podcasts.",
        ("Headphones", "Bluetooth Speaker", "Earbuds", "Turntable Mat", "Headphone Stand", "Radio"),
        ("Wireless", "Studio", "Portable", "Noise-Cancelling", "Retro", "Compact"),
        ("aluminium", "fabric-wrapped", "walnut-veneer", "matte polymer", "cork"),
        ("commutes", "focused work", "small rooms", "travel"),
        (15, 400),
        ("#202124", "#e8eaed"),
    ),
    CategorySpec(
        "Garden",
        "Tools, pots and seeds for balconies and back gardens.",
        ("Trowel", "Watering Can", "Planter", "Pruning Shears", "Seed Kit", "Garden Gloves", "Kneeler"),
        ("Balcony", "Heritage", "Ergonomic", "Terracotta", "Weatherproof", "Compact"),
        ("galvanised steel", "terracotta", "ash wood", "recycled plastic", "goatskin leather"),
        ("balcony gardens", "herb beds", "spring planting", "raised beds"),
        (5, 120),
        ("#7a5c00", "#fbf1d0"),
    ),
    CategorySpec(
        "Travel",
        "Bags, organisers and comforts for getting there in one piece.",
        ("Carry-On", "Packing Cubes", "Travel Pillow", "Toiletry Bag", "Passport Wallet", "Weekender"),
        ("Expandable", "Featherweight", "Carry-All", "Voyager", "Slimline", "Hard-Shell"),
        ("polycarbonate", "nylon twill", "full-grain leather", "memory foam", "canvas"),
        ("short breaks", "business trips", "long-haul flights", "weekends away"),
        (10, 360),
        ("#8a1c2b", "#fbe3e6"),
    ),
)

# Phrased so that plural nouns ("Packing Cubes") read as well as singular ones.
OPENINGS = (
    "Made for {use}: {material} with a {finish} finish.",
    "Our {adjective} {noun}, in {material}, built for {use} and years of daily use.",
    "The {noun} we reach for first: {material}, well balanced and easy to care for.",
    "Designed for {use}, in {material} with a {finish} finish.",
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


class Command(BaseCommand):
    help = "Build a deterministic demo catalog (categories, products and SVG placeholder images)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=60, help="How many products to create (default 60).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same catalog.")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--if-empty", action="store_true", help="Do nothing when the catalog already has products.")
        mode.add_argument("--replace", action="store_true", help="Delete the existing catalog first.")
        parser.add_argument("--no-images", action="store_true", help="Skip writing placeholder images.")

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
                    old_images = set(Product.objects.exclude(image="").values_list("image", flat=True))
                    Product.objects.all().delete()
                    Category.objects.all().delete()
                new_images = build_catalog(products, seed, images=not no_images)
        except ProtectedError:
            raise CommandError("Cannot replace the catalog: orders still refer to its products.") from None
        for name in old_images - new_images:
            default_storage.delete(name)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"Created {len(CATEGORIES)} categories and {products} products in {elapsed:.1f} s.")
        )


def build_catalog(count: int, seed: int, *, images: bool = True) -> set[str]:
    """Create the categories and `count` products; return the names of the images written."""
    rng = random.Random(seed)
    categories = Category.objects.bulk_create(
        Category(name=spec.name, slug=slugify(spec.name), description=spec.description) for spec in CATEGORIES
    )
    slugs: set[str] = set()
    written: set[str] = set()
    batch: list[Product] = []
    for index in range(count):
        position = index % len(CATEGORIES)
        spec, category = CATEGORIES[position], categories[position]
        product = make_product(rng, spec, category, index, slugs)
        if images:
            product.image = save_image(product, spec)
            written.add(product.image.name)
        batch.append(product)
        if len(batch) == BATCH_SIZE:
            create_with_opening_stock(batch)
            batch.clear()
    create_with_opening_stock(batch)
    return written


def create_with_opening_stock(products: list[Product]) -> None:
    """Insert the products, each with its default variant holding its stock, and log their opening
    stock, so that every stock figure can be explained."""
    Product.objects.bulk_create(products)
    variants = Variant.objects.bulk_create(
        Variant(product=product, sku=product.slug, stock_quantity=product.stock_quantity) for product in products
    )
    opening = [
        StockChange(variant.product_id, variant.stock_quantity, variant.stock_quantity, variant.pk)
        for variant in variants
    ]
    stock_record(kind=StockMovement.Kind.ADJUSTMENT, changes=[c for c in opening if c.change], note="Demo catalog")


def make_product(rng: random.Random, spec: CategorySpec, category: Category, index: int, slugs: set[str]) -> Product:
    adjective, noun, material, use = (
        rng.choice(spec.adjectives),
        rng.choice(spec.nouns),
        rng.choice(spec.materials),
        rng.choice(spec.uses),
    )
    name = f"{adjective} {material.title()} {noun}"
    slug = base = slugify(name)
    suffix = 2
    while slug in slugs:
        slug = f"{base}-{suffix}"
        suffix += 1
    slugs.add(slug)
    if slug != base:
        name = f"{name} No. {suffix - 1}"
    words = {"adjective": adjective.lower(), "noun": noun.lower(), "material": material, "use": use}
    opening = rng.choice(OPENINGS).format(finish=rng.choice(FINISHES), **words)
    description = " ".join((opening, *rng.sample(DETAILS, 2)))
    return Product(
        category=category,
        name=name,
        slug=slug,
        description=description[0].upper() + description[1:],
        price=make_price(rng, *spec.price_range),
        stock_quantity=make_stock(rng),
        is_active=rng.random() >= 0.03,
        created_at=REFERENCE_TIME - timedelta(hours=index * 7, minutes=rng.randrange(60)),
    )


def make_price(rng: random.Random, low: int, high: int) -> Decimal:
    """A shop-like price (4.99, 29.50, 149.00), spread evenly on a log scale between low and high."""
    whole = round(low * (high / low) ** rng.random())
    cents = rng.choice(("0.99", "0.99", "0.50", "0.00", "0.95"))
    return max(Decimal(whole - 1) + Decimal(cents), Decimal("0.99"))


def make_stock(rng: random.Random) -> int:
    """About one product in ten is out of stock and one in ten is nearly gone."""
    roll = rng.random()
    if roll < 0.1:
        return 0
    if roll < 0.2:
        return rng.randint(1, 5)
    return rng.randint(6, 120)


def save_image(product: Product, spec: CategorySpec) -> str:
    name = str(IMAGE_DIR / f"{product.slug}.svg")
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(placeholder_svg(product.name, spec).encode()))


def placeholder_svg(name: str, spec: CategorySpec) -> str:
    background, foreground = spec.colours
    initials = "".join(word[0] for word in name.split()[:3] if word[0].isalnum()).upper()
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 480" width="640" height="480">'
        f'<rect width="640" height="480" fill="{background}"/>'
        f'<circle cx="320" cy="210" r="120" fill="{foreground}" opacity="0.18"/>'
        f'<text x="320" y="250" font-family="system-ui, sans-serif" font-size="120" font-weight="700" '
        f'text-anchor="middle" fill="{foreground}">{escape(initials)}</text>'
        f'<text x="320" y="400" font-family="system-ui, sans-serif" font-size="30" '
        f'text-anchor="middle" fill="{foreground}">{escape(spec.name)}</text>'
        "</svg>"
    )

"""Make the renditions pictures are missing (after an upgrade, a restore, or with the worker stopped)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser

from storefront.models import ProductPicture
from storefront.pictures import picture_renditions_make


class Command(BaseCommand):
    help = "Make the missing renditions (WebP and fallback sizes) of product pictures, synchronously."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Make them again for every raster picture.")

    def handle(self, *args: object, all: bool, **options: object) -> None:
        pictures = ProductPicture.objects.order_by("image", "id")
        if not all:
            pictures = pictures.filter(renditions=[])
        made: dict[str, tuple[list[object], int, int]] = {}  # pictures sharing one file share its renditions
        done = failed = 0
        for picture in pictures.iterator():
            if not picture.is_raster or not picture.image.name:
                continue
            name = picture.image.name
            if name in made:
                renditions, width, height = made[name]
                ProductPicture.objects.filter(pk=picture.pk).update(renditions=renditions, width=width, height=height)
            else:
                try:
                    picture_renditions_make(picture)
                except (ValidationError, FileNotFoundError) as error:
                    failed += 1
                    self.stderr.write(f"{picture.image.name}: {error}")
                    continue
                made[name] = (list(picture.renditions), picture.width, picture.height)
            done += 1
        self.stdout.write(
            self.style.SUCCESS(f"Made renditions for {done} pictures ({len(made)} files, {failed} failed).")
        )

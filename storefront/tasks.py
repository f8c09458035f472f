"""Jobs of the catalog, run by the queue's worker (`manage.py db_worker`), never in a request."""

from django.db import transaction
from django.tasks import task

from .models import ProductPicture
from .pictures import picture_renditions_make


@task
def picture_renditions_make_job(*, picture_id: int) -> None:
    """The renditions of a picture just saved (storefront.pictures). Until it has run, pages show the
    original file at its recorded size. A picture deleted meanwhile needs nothing."""
    picture = ProductPicture.objects.filter(pk=picture_id).first()
    if picture is not None:
        picture_renditions_make(picture)


def picture_renditions_enqueue(picture: ProductPicture) -> None:
    """Queue the picture's renditions once the transaction that saved it commits. Should that fail, the
    picture is saved all the same (shown at its original size) and `make_thumbnails` makes them."""
    transaction.on_commit(lambda: picture_renditions_make_job.enqueue(picture_id=picture.pk), robust=True)

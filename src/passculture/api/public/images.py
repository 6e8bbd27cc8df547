"""Partner API — Images: upload the picture of an offer (event or product) as a file."""

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from passculture.api.public import scope
from passculture.core.errors import DomainError
from passculture.offers.services import set_offer_image

router = Router(tags=["Images"])


@router.post(
    "/{offer_id}/image",
    response={204: None},
    summary="Upload an Image",
    operation_id="UploadImage",
)
def upload_image(
    request: HttpRequest,
    offer_id: int,
    file: File[UploadedFile | None] = None,
    credit: Form[str | None] = None,
) -> Status:
    offer = scope.offer_or_404(request, offer_id)
    # `file` is optional in the reference's schema but required in its description.
    if file is None:
        raise DomainError("Joignez l’image dans le champ « file » (multipart).", field="file")
    set_offer_image(actor=scope.actor(request), offer=offer, upload=file, credit=credit or "")
    return Status(204, None)

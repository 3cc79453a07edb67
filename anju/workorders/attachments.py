"""Photos on work orders: the complainant's with the complaint (the owner's phone form, the
intake desk, the API) and the handling unit's on-site evidence with its feedback.

Every photo is checked before anything is written: an image by its content (Pillow opens
and verifies it, whatever the name or the browser says), no larger than
settings.ANJU_PHOTO_MAX_BYTES, at most settings.ANJU_PHOTO_MAX_COUNT per order and stage.
The original and a small JPEG thumbnail (turned upright, without its metadata) go to the
default storage; they are served only by `photo_file`, to whoever may see the order.
"""

import io
import os
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from anju.core.audit import audit_record
from anju.workorders.access import actors_for, may_see_complainant, order_policy
from anju.workorders.machine import Actor, State
from anju.workorders.models import Attachment, Event, WorkOrder

# The formats accepted, as Pillow names them, and the type they are served with.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
THUMBNAIL_PX = 320
FIELD = "photos"
# Who adds photos at which stage, and while the order is in which states.
STAGE_ROLES = {
    Attachment.Stage.INTAKE: {Actor.CITIZEN, Actor.INTAKE},
    Attachment.Stage.EVIDENCE: {Actor.HANDLER, Actor.UNIT_LEAD},
}
EVIDENCE_STATES = {State.SIGNED, State.IN_PROGRESS}
# The complainant's photos until the unit answers: afterwards their word is the return visit.
INTAKE_STATES = {
    State.REGISTERED,
    State.DISPATCHED,
    State.RETURN_REQUESTED,
    State.SIGNED,
    State.IN_PROGRESS,
    State.SUSPENDED,
}


def max_bytes() -> int:
    return int(settings.ANJU_PHOTO_MAX_BYTES)


def max_count() -> int:
    return int(settings.ANJU_PHOTO_MAX_COUNT)


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


@dataclass
class Photo:
    """An upload that passed the checks: its bytes, what it is, and its thumbnail."""

    name: str
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    thumbnail: bytes


def _open_image(data: bytes):
    from PIL import Image

    with Image.open(io.BytesIO(data)) as probe:
        probe.verify()  # a truncated or forged file fails here
    return Image.open(io.BytesIO(data))


def _thumbnail(image) -> bytes:
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def _display_name(upload) -> str:
    name = os.path.basename(getattr(upload, "name", "") or "") or "photo"
    return name[:200]


def _count_error(already: int) -> str:
    limit = max_count()
    if already:
        return _("At most %(max)s photos per order: it has %(n)s, you may add %(left)s more.") % {
            "max": limit,
            "n": already,
            "left": max(limit - already, 0),
        }
    return _("At most %(max)s photos per order.") % {"max": limit}


def check_photos(uploads, *, already: int = 0) -> list[Photo]:
    """Check every upload (all of them, so each bad file is named) and return the photos;
    a ValidationError on the `photos` field lists every problem, and nothing is kept."""
    from PIL import Image

    uploads = [u for u in uploads or [] if u]
    errors: list[str] = []
    limit = max_count()
    if already + len(uploads) > limit:
        errors.append(_count_error(already))
    photos = []
    for upload in uploads:
        name = _display_name(upload)
        if upload.size > max_bytes():
            errors.append(
                _("“%(name)s” is larger than %(max)s MB.")
                % {"name": name, "max": _megabytes(max_bytes())}
            )
            continue
        upload.seek(0)
        data = upload.read()
        try:
            image = _open_image(data)
            kind = image.format
            if kind not in FORMATS:
                raise ValueError(kind)
            thumbnail = _thumbnail(image)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            errors.append(
                _("“%(name)s” is not a photo: upload JPEG, PNG, WebP or GIF images.")
                % {"name": name}
            )
            continue
        photos.append(
            Photo(
                name=name,
                data=data,
                content_type=FORMATS[kind],
                extension="jpg" if kind == "JPEG" else kind.lower(),
                width=image.width,
                height=image.height,
                thumbnail=thumbnail,
            )
        )
    if errors:
        raise ValidationError({FIELD: errors})
    return photos


def stage_for(actor, order: WorkOrder) -> str | None:
    """The stage at which the actor may add photos to the order now, if any."""
    roles = actors_for(actor, order)
    if roles & STAGE_ROLES[Attachment.Stage.EVIDENCE] and order.state in EVIDENCE_STATES:
        return Attachment.Stage.EVIDENCE
    if roles & STAGE_ROLES[Attachment.Stage.INTAKE] and order.state in INTAKE_STATES:
        return Attachment.Stage.INTAKE
    return None


def attach(*, actor, order: WorkOrder, uploads, now: datetime | None = None) -> list[Attachment]:
    """Add photos to an order at the stage the actor's role allows (the complainant or the
    intake desk with the complaint, the lead unit as on-site evidence while handling it).
    All or nothing: a bad file, too many files or no role on the order write nothing."""
    now = now or timezone.now()
    uploads = [u for u in uploads or [] if u]
    stage = stage_for(actor, order)
    if stage is None:
        if not actors_for(actor, order):
            raise PermissionDenied
        raise ValidationError({FIELD: _("Photos cannot be added to this order now.")})
    if not uploads:
        raise ValidationError({FIELD: _("Choose at least one photo.")})
    already = order.attachments.filter(stage=stage).count()
    photos = check_photos(uploads, already=already)
    stored: list[str] = []
    try:
        with transaction.atomic():
            # Two uploads at once must not pass the limit together.
            WorkOrder.objects.select_for_update().filter(pk=order.pk).first()
            now_there = order.attachments.filter(stage=stage).count()
            if now_there + len(photos) > max_count():
                raise ValidationError({FIELD: _count_error(now_there)})
            rows = []
            for photo in photos:
                base = f"workorders/{now:%Y/%m}/{order.number}"
                name = default_storage.save(f"{base}.{photo.extension}", ContentFile(photo.data))
                stored.append(name)
                thumb = default_storage.save(f"{base}-thumb.jpg", ContentFile(photo.thumbnail))
                stored.append(thumb)
                rows.append(
                    Attachment.objects.create(
                        order=order,
                        stage=stage,
                        file=name,
                        thumbnail=thumb,
                        name=photo.name,
                        content_type=photo.content_type,
                        size=len(photo.data),
                        width=photo.width,
                        height=photo.height,
                        uploaded_by=actor,
                        created_at=now,
                    )
                )
            roles = actors_for(actor, order)
            as_role = next(r for r in Actor if r in roles and r in STAGE_ROLES[stage])
            Event.objects.create(
                order=order, actor=actor, as_role=as_role, action="attach",
                from_state=order.state, to_state=order.state,
                payload={"photos": len(rows), "stage": stage}, at=now,
            )  # fmt: skip
            audit_record(
                actor=actor,
                action="workorders.attach",
                target=order,
                changes={"photos": [None, len(rows)], "stage": [None, stage]},
                region_code=order.region_code,
            )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return rows


def register_with_photos(*, actor, data: dict, uploads) -> WorkOrder:
    """Register an order and its photos in one transaction (services.register, then attach):
    a bad photo leaves no order behind."""
    from anju.workorders import services

    uploads = [u for u in uploads or [] if u]
    if uploads:
        check_photos(uploads)  # before the order is numbered
    with transaction.atomic():
        order = services.register(actor=actor, data=data)
        if uploads:
            attach(actor=actor, order=order, uploads=uploads)
    return order


# -- forms ----------------------------------------------------------------------------------


def _photo_help_text() -> str:
    return _(
        "Optional. Up to %(count)s images (JPEG, PNG, WebP or GIF), each at most %(size)s MB."
    ) % {"count": max_count(), "size": _megabytes(max_bytes())}


# Read in the language of each request, with the limits in force then.
_photo_help = lazy(_photo_help_text, str)


class PhotoInput(forms.ClearableFileInput):
    """Several photos at once, from the phone's camera or gallery."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": "image/*", "multiple": True, **(attrs or {})})


class PhotosField(forms.FileField):
    """Up to ANJU_PHOTO_MAX_COUNT photos, checked by check_photos; cleans to the uploads."""

    widget = PhotoInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", gettext_lazy("photos"))
        super().__init__(**kwargs)
        self.help_text = kwargs.get("help_text") or _photo_help()

    def clean(self, data, initial=None):
        uploads = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        try:
            check_photos(uploads)
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        return uploads


# -- pages ------------------------------------------------------------------------------------


def photo_rows(actor, order: WorkOrder) -> list[dict]:
    """The order's photos for its page. The company a complaint concerns sees the photos
    (they are the evidence) but not who took them at intake."""
    show = may_see_complainant(actor, order)
    rows = []
    for a in order.attachments.select_related("uploaded_by"):
        if a.stage == Attachment.Stage.INTAKE and not show:
            who = _("Complainant")
        else:
            who = str(a.uploaded_by) if a.uploaded_by_id else ""
        rows.append({"photo": a, "who": who})
    return rows


def visible_photo(actor, pk: int) -> Attachment:
    photo = (
        Attachment.objects.select_related("order")
        .filter(pk=pk, order__in=order_policy.visible(actor).values("pk"))
        .first()
    )
    if photo is None:
        raise Http404
    return photo


def photo_response(photo: Attachment, thumbnail: bool) -> FileResponse:
    stored = photo.thumbnail if thumbnail else photo.file
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type="image/jpeg" if thumbnail else photo.content_type,
        filename=photo.name,
    )
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "attachment", "inline", 1
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def photo_file(request, pk: int):
    """One photo (?thumb=1: its thumbnail), to whoever may see its order; else 404."""
    photo = visible_photo(request.user, pk)
    return photo_response(photo, thumbnail=request.GET.get("thumb") == "1")


@login_required
@require_POST
def photo_upload(request, pk: int):
    """Add photos from the order page (the complainant's, or the unit's on-site evidence)."""
    actor = request.user
    order = order_policy.get(actor, pk)
    try:
        rows = attach(actor=actor, order=order, uploads=request.FILES.getlist(FIELD))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        text = ngettext("%(n)s photo added.", "%(n)s photos added.", len(rows))
        messages.success(request, text % {"n": len(rows)})
    return redirect("workorders:detail", order.pk)

"""ECR's layer API, which moto 5.2 leaves unimplemented, and PutImage's reference checks.

Rules, from the Amazon ECR API Reference (docs.aws.amazon.com/AmazonECR/latest/APIReference/):
- E1 BatchCheckLayerAvailability: a blob the repository holds is listed in `layers` as AVAILABLE
  with its size; one it does not hold is listed in `failures` with `MissingLayerDigest`
  (API_BatchCheckLayerAvailability.html, API_LayerFailure.html).
- E2 InitiateLayerUpload answers an upload id and the part size; UploadLayerPart takes the parts
  in order, each range exactly its bytes (`InvalidLayerPartException` otherwise, answering the
  last byte received), of an upload that exists (`UploadNotFoundException`)
  (API_InitiateLayerUpload.html, API_UploadLayerPart.html).
- E3 CompleteLayerUpload checks the bytes against the one digest given (`InvalidLayerException`),
  refuses an upload with no part (`EmptyUploadException`) and a blob already held
  (`LayerAlreadyExistsException`) (API_CompleteLayerUpload.html).
- E4 GetDownloadUrlForLayer: "You can only get URLs for image layers that are referenced in an
  image": an unknown blob is `LayersNotFoundException`, a blob no image references is
  `LayerInaccessibleException` (API_GetDownloadUrlForLayer.html). The URL is served by this
  emulator (GET /_abca/ecr/layer?…), standing in for the pre-signed S3 URL.
- E5 PutImage: the image digest is the sha256 of the manifest bytes as sent (moto derives it from
  the layer digests, and picks a random one for an index); a given `imageDigest` that differs is
  `ImageDigestDoesNotMatchException` (API_PutImage.html, imageDigest). Every blob an image manifest names (config and layers) must be in the repository
  (`LayersNotFoundException`), and every child manifest an index names must be an image of the
  repository (`ReferencedImagesNotFoundException`) (API_PutImage.html: "called once ... when all
  new image layers have been uploaded").

State lives on moto's ECR backend object, so POST /moto-api/reset forgets it like the images.
"""
import base64
import hashlib
import json
import uuid
from typing import Any
from urllib.parse import quote

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.ecr import models as ecr_models
from moto.ecr import responses as ecr_responses
from moto.ecr.exceptions import RepositoryNotFoundException

PART_SIZE = 10 * 1024 * 1024


def _error(code: str) -> type:
    """An ECR error shape from the model: moto answers its `code` as the error type."""
    return type(code, (ServiceException,), {"code": code})


LayersNotFoundException = _error("LayersNotFoundException")
LayerInaccessibleException = _error("LayerInaccessibleException")
UploadNotFoundException = _error("UploadNotFoundException")
InvalidLayerPartException = _error("InvalidLayerPartException")
InvalidLayerException = _error("InvalidLayerException")
EmptyUploadException = _error("EmptyUploadException")
LayerAlreadyExistsException = _error("LayerAlreadyExistsException")
ImageDigestDoesNotMatchException = _error("ImageDigestDoesNotMatchException")
ReferencedImagesNotFoundException = _error("ReferencedImagesNotFoundException")


def _blobs(backend: Any) -> dict:
    if not hasattr(backend, "_abca_blobs"):
        backend._abca_blobs = {}
    return backend._abca_blobs


def _uploads(backend: Any) -> dict:
    if not hasattr(backend, "_abca_uploads"):
        backend._abca_uploads = {}
    return backend._abca_uploads


def _repository(backend: Any, name: str) -> Any:
    if name not in backend.repositories:
        raise RepositoryNotFoundException(name, backend.account_id)
    return backend.repositories[name]


def _references(manifest_text: str) -> tuple[list[str], list[str]]:
    """(blob digests, child manifest digests) that a manifest names."""
    try:
        manifest = json.loads(manifest_text)
    except ValueError:
        return [], []
    blobs = [d["digest"] for d in ([manifest.get("config")] + list(manifest.get("layers") or [])) if isinstance(d, dict) and d.get("digest")]
    children = [m["digest"] for m in manifest.get("manifests") or [] if isinstance(m, dict) and m.get("digest")]
    return blobs, children


def _referenced(repository: Any, digest: str) -> bool:
    return any(digest in _references(image.image_manifest)[0] for image in repository.images)


def blob(account: str, region: str, repository: str, digest: str) -> bytes | None:
    """The bytes behind a download URL (E4), or None."""
    try:
        backend = ecr_models.ecr_backends[account][region]
    except KeyError:
        return None
    return _blobs(backend).get(repository, {}).get(digest)


def install() -> None:
    R = ecr_responses.ECRResponse

    def batch_check_layer_availability(self: Any) -> ActionResult:
        name = self._get_param("repositoryName")
        _repository(self.ecr_backend, name)
        held = _blobs(self.ecr_backend).get(name, {})
        layers, failures = [], []
        for digest in self._get_param("layerDigests") or []:
            if digest in held:
                layers.append({"layerDigest": digest, "layerAvailability": "AVAILABLE", "layerSize": len(held[digest])})
            else:
                failures.append({"layerDigest": digest, "failureCode": "MissingLayerDigest", "failureReason": "Requested image not found"})
        return ActionResult({"layers": layers, "failures": failures})

    def initiate_layer_upload(self: Any) -> ActionResult:
        name = self._get_param("repositoryName")
        _repository(self.ecr_backend, name)
        upload_id = str(uuid.uuid4())
        _uploads(self.ecr_backend)[upload_id] = {"repository": name, "data": bytearray()}
        return ActionResult({"uploadId": upload_id, "partSize": PART_SIZE})

    def upload_layer_part(self: Any) -> ActionResult:
        name = self._get_param("repositoryName")
        repository = _repository(self.ecr_backend, name)
        upload_id = self._get_param("uploadId")
        upload = _uploads(self.ecr_backend).get(upload_id)
        if upload is None or upload["repository"] != name:
            raise UploadNotFoundException(f"Upload with id '{upload_id}' is not found in repository '{name}'")
        part = base64.b64decode(self._get_param("layerPartBlob") or "")
        first, last = int(self._get_param("partFirstByte")), int(self._get_param("partLastByte"))
        if first != len(upload["data"]) or last != first + len(part) - 1:
            raise InvalidLayerPartException(
                f"The layer part ({first}-{last}) is not the next part of upload '{upload_id}' (last byte received: {len(upload['data']) - 1})"
            )
        upload["data"] += part
        return ActionResult({"registryId": repository.registry_id, "repositoryName": name, "uploadId": upload_id, "lastByteReceived": len(upload["data"]) - 1})

    def complete_layer_upload(self: Any) -> ActionResult:
        name = self._get_param("repositoryName")
        repository = _repository(self.ecr_backend, name)
        upload_id = self._get_param("uploadId")
        uploads = _uploads(self.ecr_backend)
        upload = uploads.get(upload_id)
        if upload is None or upload["repository"] != name:
            raise UploadNotFoundException(f"Upload with id '{upload_id}' is not found in repository '{name}'")
        digests = self._get_param("layerDigests") or []
        if not upload["data"]:
            raise EmptyUploadException(f"The upload '{upload_id}' has no layer parts")
        actual = "sha256:" + hashlib.sha256(bytes(upload["data"])).hexdigest()
        if len(digests) != 1 or digests[0] != actual:
            raise InvalidLayerException(f"The layer digest calculated for upload '{upload_id}' ({actual}) does not match the digest given")
        held = _blobs(self.ecr_backend).setdefault(name, {})
        del uploads[upload_id]
        if actual in held:
            raise LayerAlreadyExistsException(f"The layer '{actual}' already exists in the repository '{name}'")
        held[actual] = bytes(upload["data"])
        return ActionResult({"registryId": repository.registry_id, "repositoryName": name, "uploadId": upload_id, "layerDigest": actual})

    def get_download_url_for_layer(self: Any) -> ActionResult:
        name = self._get_param("repositoryName")
        repository = _repository(self.ecr_backend, name)
        digest = self._get_param("layerDigest")
        if digest not in _blobs(self.ecr_backend).get(name, {}):
            raise LayersNotFoundException(f"The layer '{digest}' does not exist in the repository '{name}'")
        if not _referenced(repository, digest):
            raise LayerInaccessibleException(f"The layer '{digest}' is not associated with an image")
        host = self.headers.get("Host") or "127.0.0.1"
        query = f"account={quote(self.current_account)}&region={quote(self.region)}&repository={quote(name, safe='')}&digest={quote(digest)}"
        return ActionResult({"downloadUrl": f"http://{host}/_abca/ecr/layer?{query}", "layerDigest": digest})

    def put_image(self: Any) -> Any:
        name = self._get_param("repositoryName")
        repository = _repository(self.ecr_backend, name)
        manifest = self._get_param("imageManifest") or ""
        digest = "sha256:" + hashlib.sha256(manifest.encode("utf-8")).hexdigest()
        given = self._get_param("imageDigest")
        if given and given != digest:
            raise ImageDigestDoesNotMatchException(f"Invalid parameter at 'imageDigest' failed to satisfy constraint: 'imageDigest {given} does not match the manifest digest {digest}'")
        blobs, children = _references(manifest)
        held = _blobs(self.ecr_backend).get(name, {})
        missing = [d for d in blobs if d not in held]
        if missing:
            raise LayersNotFoundException(f"Layers with digests '{missing}' required for pushing image into repository '{name}' do not exist")
        known = {image.get_image_digest() for image in repository.images}
        absent = [d for d in children if d not in known]
        if absent:
            raise ReferencedImagesNotFoundException(f"Images with digests '{absent}' referenced in the index were not found in repository '{name}'")
        image = self.ecr_backend.put_image(name, manifest, self._get_param("imageTag"), self._get_param("imageManifestMediaType"), digest)
        return ActionResult({"image": image})

    R.batch_check_layer_availability = batch_check_layer_availability
    R.initiate_layer_upload = initiate_layer_upload
    R.upload_layer_part = upload_layer_part
    R.complete_layer_upload = complete_layer_upload
    R.get_download_url_for_layer = get_download_url_for_layer
    R.put_image = put_image

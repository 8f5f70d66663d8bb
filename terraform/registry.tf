# The sandbox images, one per Go release, built once per release: scripts/release-images.sh pushes them here
# (REGISTRY = output image_registry) and writes their digests into images.lock, which the release tarball
# carries; every VM pulls exactly those digests (vm/startup.sh --vm --images), so the whole fleet runs the
# same bytes and the cache key's image part (the digest) is the same on every VM.
resource "google_artifact_registry_repository" "images" {
  repository_id = "compilerd"
  location      = var.region
  format        = "DOCKER"
  description   = "compilerd sandbox images (scripts/release-images.sh); VMs pull them by digest"

  labels = {
    app = "compilerd"
  }
}

# The VMs may read this repository and nothing else in Artifact Registry (no project-wide role). The token
# they pull with carries the storage-ro scope (main.tf), which is what Artifact Registry asks of a reader.
resource "google_artifact_registry_repository_iam_member" "vms_read_images" {
  location   = google_artifact_registry_repository.images.location
  repository = google_artifact_registry_repository.images.name
  role       = "roles/artifactregistry.reader"
  member     = "serviceAccount:${google_service_account.compilerd.email}"
}

locals {
  # What scripts/release-images.sh takes as REGISTRY; images are REGISTRY/playground:goX.Y.
  image_registry = "${var.region}-docker.pkg.dev/${var.project}/${google_artifact_registry_repository.images.repository_id}"
}

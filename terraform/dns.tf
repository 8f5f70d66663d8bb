# Private Google Access for the VMs, which have no external address: private Cloud DNS zones on var.network
# that answer googleapis.com (the release tarball, gVisor's release bucket on storage.googleapis.com) and
# pkg.dev (Artifact Registry: the sandbox images) with the addresses of var.google_apis_cidrs
# (private.googleapis.com by default), the only Google range the egress firewall opens (firewall.tf). The
# subnetwork must have Private Google Access on. A network that already has such zones keeps them:
# var.private_google_access_dns = false.

locals {
  # The four addresses of the Private Google Access range (199.36.153.8-11 for private.googleapis.com).
  google_apis_addresses = [for i in range(4) : cidrhost(var.google_apis_cidrs[0], i)]
  # Each zone's apex answers with those addresses and every name below it is a CNAME to the apex.
  private_google_zones = var.private_google_access_dns ? {
    googleapis = "googleapis.com."
    pkg-dev    = "pkg.dev."
  } : {}
}

data "google_compute_network" "vms" {
  name = basename(var.network)
}

resource "google_dns_managed_zone" "private_google" {
  for_each    = local.private_google_zones
  name        = "compilerd-${each.key}"
  dns_name    = each.value
  description = "Private Google Access for compilerd VMs: ${each.value} to var.google_apis_cidrs"
  visibility  = "private"

  private_visibility_config {
    networks {
      network_url = data.google_compute_network.vms.id
    }
  }
}

resource "google_dns_record_set" "private_google_apex" {
  for_each     = local.private_google_zones
  managed_zone = google_dns_managed_zone.private_google[each.key].name
  name         = each.value
  type         = "A"
  ttl          = 300
  rrdatas      = local.google_apis_addresses
}

resource "google_dns_record_set" "private_google_wildcard" {
  for_each     = local.private_google_zones
  managed_zone = google_dns_managed_zone.private_google[each.key].name
  name         = "*.${each.value}"
  type         = "CNAME"
  ttl          = 300
  rrdatas      = [each.value]
}

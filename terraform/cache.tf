# Optional shared result cache: one Memorystore for Redis instance that every VM reads and writes,
# so a program one VM has run is a cache hit on the others (and on the VMs that replace it). Off by
# default (var.shared_cache_enabled); the server treats it as a best-effort tier behind a breaker.
# README.md says why Memorystore for Redis rather than Memorystore for Valkey, and what a shared
# cache costs in isolation.

resource "google_redis_instance" "shared_cache" {
  count          = var.shared_cache_enabled ? 1 : 0
  name           = "compilerd-cache"
  display_name   = "compilerd shared result cache"
  region         = var.region
  tier           = var.shared_cache_tier
  memory_size_gb = var.shared_cache_memory_gb
  redis_version  = var.shared_cache_redis_version

  # Reachable only from the VMs' VPC: DIRECT_PEERING (the default) peers the instance's /29 into
  # the network by itself; PRIVATE_SERVICE_ACCESS uses the network's existing private services
  # access connection (needed with Shared VPC).
  # authorized_network wants the network's full name (dns.tf reads it); var.network may be a name or a self link.
  authorized_network = data.google_compute_network.vms.id
  connect_mode       = var.shared_cache_connect_mode

  # TLS with server authentication listens on 6378 and the URL becomes rediss://.
  transit_encryption_mode = var.shared_cache_tls ? "SERVER_AUTHENTICATION" : "DISABLED"
  # No AUTH string: it would have to travel in instance metadata, which every process on the VM can
  # read. The network (this VPC, and the egress rule in firewall.tf) is the fence.
  auth_enabled = false

  redis_configs = {
    # A cache, not a store: when memory is full, evict the least recently used result.
    "maxmemory-policy" = "allkeys-lru"
  }

  labels = {
    app = "compilerd"
  }
}

locals {
  # What the VMs get in the metadata key compilerd-shared-cache; empty = no shared cache.
  shared_cache_url = var.shared_cache_enabled ? "${var.shared_cache_tls ? "rediss" : "redis"}://${google_redis_instance.shared_cache[0].host}:${google_redis_instance.shared_cache[0].port}" : ""
}

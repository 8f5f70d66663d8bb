# Ingress: only Google's health checkers, the frontends and (optionally) Prometheus may reach a compilerd
# VM, and only on the server port. Everything else, SSH included, is denied to the tag, overriding any
# broad allow rule in the network (e.g. the default network's default-allow-ssh at priority 65534).

resource "google_compute_firewall" "health_checks" {
  name          = "compilerd-allow-health-checks"
  network       = var.network
  direction     = "INGRESS"
  priority      = 900
  source_ranges = local.health_check_ranges
  target_tags   = [local.tag]

  allow {
    protocol = "tcp"
    ports    = [var.port]
  }
}

resource "google_compute_firewall" "frontends" {
  name          = "compilerd-allow-frontends"
  network       = var.network
  direction     = "INGRESS"
  priority      = 900
  source_ranges = [var.frontend_cidr]
  target_tags   = [local.tag]

  allow {
    protocol = "tcp"
    ports    = [var.port]
  }
}

# Prometheus, when var.metrics_scraper_cidrs names it: GET /metrics is served on the same port.
resource "google_compute_firewall" "metrics_scrapers" {
  count         = length(var.metrics_scraper_cidrs) > 0 ? 1 : 0
  name          = "compilerd-allow-metrics-scrapers"
  network       = var.network
  direction     = "INGRESS"
  priority      = 900
  source_ranges = var.metrics_scraper_cidrs
  target_tags   = [local.tag]

  allow {
    protocol = "tcp"
    ports    = [var.port]
  }
}

resource "google_compute_firewall" "deny_rest" {
  name          = "compilerd-deny-other-ingress"
  network       = var.network
  direction     = "INGRESS"
  priority      = 1000
  source_ranges = ["0.0.0.0/0"]
  target_tags   = [local.tag]

  deny {
    protocol = "all"
  }
}

# --- Egress: the VMs may reach exactly what they need; everything else is denied. ---
# The sandboxes have no network at all (--network=none); these rules fence the VM itself, so a
# compromised VM cannot reach the internet or the rest of the VPC. The allow rules sit at 900 and
# the deny at 1000, like ingress: the deny is below our allows and above any broad allow elsewhere
# in the network at the default priority. Not subject to any rule: the metadata server
# (169.254.169.254: metadata, DNS, NTP) and replies to admitted connections (health checks, frontends).

# Google APIs through Private Google Access (dns.tf): the release tarball in Cloud Storage, the sandbox images
# in Artifact Registry (*.pkg.dev) and gVisor's release bucket (storage.googleapis.com).
resource "google_compute_firewall" "egress_google_apis" {
  name               = "compilerd-allow-egress-google-apis"
  network            = var.network
  direction          = "EGRESS"
  priority           = 900
  destination_ranges = var.google_apis_cidrs
  target_tags        = [local.tag]

  allow {
    protocol = "tcp"
    ports    = ["443"]
  }
}

# The Debian mirror: cloud-init's packages and vm/startup.sh's (Docker, a JRE; runsc only when gVisor's own
# release cannot be installed). VMs no longer build the sandbox image: README.md says how to bake the rest.
resource "google_compute_firewall" "egress_debian_mirror" {
  name               = "compilerd-allow-egress-debian-mirror"
  network            = var.network
  direction          = "EGRESS"
  priority           = 900
  destination_ranges = var.debian_mirror_cidrs
  target_tags        = [local.tag]

  allow {
    protocol = "tcp"
    ports    = ["80", "443"]
  }
}

# The shared result cache, when there is one: its one address and port.
resource "google_compute_firewall" "egress_shared_cache" {
  count              = var.shared_cache_enabled ? 1 : 0
  name               = "compilerd-allow-egress-shared-cache"
  network            = var.network
  direction          = "EGRESS"
  priority           = 900
  destination_ranges = ["${google_redis_instance.shared_cache[0].host}/32"]
  target_tags        = [local.tag]

  allow {
    protocol = "tcp"
    ports    = [google_redis_instance.shared_cache[0].port]
  }
}

# The upstream Go module proxy, when there is one: only the server talks to it (the sandboxes have no
# network), and only to these addresses on 443. proxy.golang.org sits behind Google's front ends, whose
# addresses are not fixed: README.md ("Go modules") says how to keep var.module_proxy_cidrs right.
resource "google_compute_firewall" "egress_module_proxy" {
  count              = var.module_proxy_url != "" ? 1 : 0
  name               = "compilerd-allow-egress-module-proxy"
  network            = var.network
  direction          = "EGRESS"
  priority           = 900
  destination_ranges = var.module_proxy_cidrs
  target_tags        = [local.tag]

  allow {
    protocol = "tcp"
    ports    = ["443"]
  }

  lifecycle {
    precondition {
      condition     = length(var.module_proxy_cidrs) > 0
      error_message = "module_proxy_url is set: module_proxy_cidrs must name the addresses it answers on (README.md, Go modules)."
    }
  }
}

resource "google_compute_firewall" "deny_egress" {
  name               = "compilerd-deny-other-egress"
  network            = var.network
  direction          = "EGRESS"
  priority           = 1000
  destination_ranges = ["0.0.0.0/0"]
  target_tags        = [local.tag]

  deny {
    protocol = "all"
  }
}

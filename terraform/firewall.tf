# Only two kinds of callers may reach a compilerd VM, and only on the server port: Google's health
# checkers and the frontends. Everything else, SSH included, is denied to the tag, overriding any
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

# Internal passthrough TCP load balancer (scheme INTERNAL), chosen over the proxied INTERNAL_MANAGED:
# the VMs see the frontends' own addresses (so the firewall can admit exactly var.frontend_cidr), no
# proxy-only subnet is needed, and compilerd's answers (503 + Retry-After when full) reach the client
# unchanged. Routing is per connection: in lameduck the server closes idle keep-alive connections,
# so clients reconnect to a healthy VM. README.md says more.

# The LB's check is quick, so a lameduck VM stops getting new connections well inside lameduck.
resource "google_compute_region_health_check" "lb" {
  name                = "compilerd-lb"
  region              = var.region
  check_interval_sec  = local.lb_check_interval_sec
  timeout_sec         = local.lb_check_timeout_sec
  healthy_threshold   = local.lb_check_healthy_threshold
  unhealthy_threshold = local.lb_check_unhealthy_threshold

  http_health_check {
    port         = var.port
    request_path = "/healthz"
  }
}

resource "google_compute_region_backend_service" "compilerd" {
  name                  = "compilerd"
  region                = var.region
  protocol              = "TCP"
  load_balancing_scheme = "INTERNAL"
  health_checks         = [google_compute_region_health_check.lb.id]
  # No port_name: a passthrough backend forwards to the forwarding rule's port, it has no named port.
  # When the MIG removes a VM, connections already open get this long (one drain) to finish.
  connection_draining_timeout_sec = local.drain_timeout_sec

  backend {
    group          = google_compute_region_instance_group_manager.compilerd.instance_group
    balancing_mode = "CONNECTION"
  }
}

resource "google_compute_forwarding_rule" "compilerd" {
  name                  = "compilerd"
  region                = var.region
  load_balancing_scheme = "INTERNAL"
  ip_protocol           = "TCP"
  ports                 = [var.port]
  network               = var.network
  subnetwork            = var.subnetwork
  backend_service       = google_compute_region_backend_service.compilerd.id
  # Gives the address a DNS name: compilerd.compilerd.il4.<region>.lb.<project>.internal
  service_label = "compilerd"
}

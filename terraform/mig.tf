# Autohealing: a separate, slower check than the load balancer's, so that it only catches VMs that
# are really gone (crashed, halted, wedged), never one that is draining (see main.tf locals).
resource "google_compute_health_check" "autohealing" {
  name                = "compilerd-autohealing"
  check_interval_sec  = local.heal_check_interval_sec
  timeout_sec         = local.heal_check_timeout_sec
  healthy_threshold   = local.heal_check_healthy_threshold
  unhealthy_threshold = local.heal_check_unhealthy_threshold

  http_health_check {
    port         = var.port
    request_path = "/healthz"
  }
}

resource "google_compute_region_instance_group_manager" "compilerd" {
  name               = "compilerd"
  region             = var.region
  base_instance_name = "compilerd"
  # No target_size: the autoscaler owns it.

  version {
    name              = "release"
    instance_template = google_compute_instance_template.compilerd.self_link_unique
  }

  named_port {
    name = "http"
    port = var.port
  }

  auto_healing_policies {
    health_check      = google_compute_health_check.autohealing.id
    initial_delay_sec = local.first_boot_sec
  }

  # A new release replaces VMs by first adding new ones (surge, one per zone) and never taking a
  # serving VM away before its replacement is up: capacity does not drop during a rollout.
  update_policy {
    type                         = "PROACTIVE"
    minimal_action               = "REPLACE"
    instance_redistribution_type = "PROACTIVE"
    replacement_method           = "SUBSTITUTE"
    max_surge_fixed              = local.zone_count
    max_unavailable_fixed        = 0
  }
}

resource "google_compute_region_autoscaler" "compilerd" {
  name   = "compilerd"
  region = var.region
  target = google_compute_region_instance_group_manager.compilerd.id

  autoscaling_policy {
    min_replicas = var.min_replicas
    max_replicas = var.max_replicas
    # A booting VM is busy installing packages and unpacking the sandbox images: do not read its CPU as load.
    cooldown_period = local.first_boot_sec

    cpu_utilization {
      target = 0.6
    }
  }
}

# The fleet's timings, in one place. The server's side lives in
# src/main/java/dev/compilerd/config/Defaults.java; FleetTimingTest parses this file and
# vm/compilerd.service and fails when the two sides stop agreeing. README.md has the arithmetic.
locals {
  # --- server defaults (Defaults.java), copied here so the inequalities below can be read ---
  lameduck_sec       = 20   # Defaults.LAMEDUCK: /healthz answers 503 but /compile is still served
  max_queue_wait_sec = 10   # Defaults.MAX_QUEUE_WAIT: a request that gets no worker within this gets a 503
  hard_deadline_sec  = 17   # SandboxLimits.hardDeadline(): build 10 s + run 5 s + margin 2 s, then docker rm -f
  drain_timeout_sec  = 30   # Defaults.DRAIN_TIMEOUT >= max queue wait 10 s + one hard deadline 17 s = 27 s, rounded up
  lifetime_max_sec   = 3600 # Defaults.LIFETIME_MAX: the server goes lameduck at a random moment in 30-60 min

  # --- load balancer health check: stops routing to a lameduck VM within 5 s x 3 = 15 s <= 20 s ---
  lb_check_interval_sec        = 5
  lb_check_timeout_sec         = 4 # < interval, so checks never overlap
  lb_check_healthy_threshold   = 2
  lb_check_unhealthy_threshold = 3

  # --- autohealing health check: declares a VM dead after 10 s x 6 = 60 s > lameduck + drain = 50 s
  # (even when the first failed probe comes right as lameduck begins, the sixth comes 50 s later), so
  # it never recreates a VM that is draining on purpose (lameduck answers 503 by design) ---
  heal_check_interval_sec        = 10
  heal_check_timeout_sec         = 5
  heal_check_healthy_threshold   = 2
  heal_check_unhealthy_threshold = 6

  # First boot, pull path (README.md "Boot time"): Google starts the VM (~30 s, not measurable off GCE),
  # gce-startup.sh and startup.sh install cloud-init, Docker and a JRE from Debian (77 CPU-seconds), then
  # startup.sh pulls the release's images by digest and the server starts: 65-191 s (median 108) from the
  # recipe's start to a healthy /healthz on a busy 2-core machine. About 240 s in all; autohealing and the
  # autoscaler ignore a new VM for 1.5 times that. (Building the images at boot took 600 s: debootstrap
  # and Go's std pre-built once per release.)
  boot_estimate_sec = 240
  first_boot_sec    = 360

  # vm/compilerd.service TimeoutStopSec: >= lameduck + drain (50 s), and GCE allows a normal
  # shutdown about 90 s before it stops the VM hard, so 60 s fits inside that grace.
  systemd_stop_timeout_sec = 60
  gce_shutdown_grace_sec   = 90

  # Google deletes every VM this long after it starts, whatever its guest does (a wedged server, a
  # failed halt): the lifetime bound no longer depends on the VM's own software. It must never cut a
  # healthy VM's life short:
  #     first boot 360 (autohealing's initial delay) + autohealing window 60 (a boot that overruns
  #     the delay is replaced by then) + longest lifetime 3600 + longest wait for a turn to retire 300
  #     + lameduck 20 + drain 30 + TimeoutStopSec 60 (the poweroff stops the units) = 4430 s, rounded
  #     up to 75 min.
  # The deletion is an ordinary one: systemd still gets SIGTERM and the server still drains.
  max_run_duration_sec = 4500

  # A regional MIG spreads over 3 zones by default; a fixed surge must be 0 or >= the zone count.
  zone_count = 3

  # Google's health checkers (the LB's and autohealing's) connect from these ranges.
  health_check_ranges = ["35.191.0.0/16", "130.211.0.0/22"]

  # The firewall and the VMs meet on this network tag.
  tag = "compilerd"
}

# The VMs' identity: may write logs and metrics and read the sandbox images (registry.tf), nothing else.
# The narrow scopes below are a second fence; storage-ro is what Artifact Registry asks of a reader, and
# lets the VM fetch a private release object (grant this account roles/storage.objectViewer on that bucket).
resource "google_service_account" "compilerd" {
  account_id   = "compilerd-vm"
  display_name = "compilerd VMs"
}

resource "google_project_iam_member" "log_writer" {
  project = var.project
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.compilerd.email}"
}

resource "google_project_iam_member" "metric_writer" {
  project = var.project
  role    = "roles/monitoring.metricWriter"
  member  = "serviceAccount:${google_service_account.compilerd.email}"
}

# Each VM is throwaway: it boots Debian, cloud-init fetches the release named in metadata and hands
# over to vm/startup.sh --vm, and the VM halts itself after 30-60 min so the MIG replaces it.
resource "google_compute_instance_template" "compilerd" {
  name_prefix  = "compilerd-"
  machine_type = var.machine_type
  tags         = [local.tag]
  labels = {
    app = "compilerd"
  }

  disk {
    source_image = var.vm_image
    boot         = true
    auto_delete  = true
    disk_type    = "pd-balanced"
    disk_size_gb = var.disk_size_gb
  }

  # No access_config: no external IP. Egress is denied except to the Debian mirror and the module proxy
  # (through Cloud NAT), Google APIs (Private Google Access) and the shared cache (firewall.tf).
  network_interface {
    network    = var.network
    subnetwork = var.subnetwork
  }

  service_account {
    email  = google_service_account.compilerd.email
    scopes = ["logging-write", "monitoring-write", "storage-ro"]
  }

  # Google enforces the lifetime even if the guest does not (locals above). Standard VMs take a run
  # duration too; provisioning_model is spelled out because the provider reads it with the rest.
  scheduling {
    provisioning_model          = "STANDARD"
    instance_termination_action = "DELETE"
    max_run_duration {
      seconds = local.max_run_duration_sec
    }
  }

  shielded_instance_config {
    enable_secure_boot          = true
    enable_vtpm                 = true
    enable_integrity_monitoring = true
  }

  metadata = {
    # cloud-init reads user-data. The file is passed unchanged (file(), not templatefile()): the
    # release URL travels in its own metadata key, so the YAML stays checkable as it is.
    "user-data" = file("${path.module}/../vm/cloud-init.yaml")
    # Google's Debian images run startup-script (guest agent) but ship no cloud-init; this installs
    # cloud-init once and lets it apply user-data, so there is still only one boot recipe.
    "startup-script"           = file("${path.module}/gce-startup.sh")
    "compilerd-release-url"    = var.release_url
    "compilerd-release-sha256" = var.release_sha256
    # redis://HOST:PORT or rediss://HOST:PORT of the shared result cache (cache.tf); empty = off.
    # The boot script writes it into /etc/default/compilerd as COMPILERD_SHARED_CACHE (--shared-cache).
    "compilerd-shared-cache" = local.shared_cache_url
    # The upstream Go module proxy (empty = off) and the checksum database relayed through it: the
    # boot script writes them as COMPILERD_MODULE_PROXY and COMPILERD_MODULE_SUMDB (--module-proxy, --module-sumdb).
    "compilerd-module-proxy" = var.module_proxy_url
    "compilerd-module-sumdb" = var.module_sumdb
    # Nobody logs in: no SSH keys in metadata, project-wide keys ignored, port 22 closed.
    "block-project-ssh-keys" = "true"
  }

  lifecycle {
    # A new template (new release_url) is created before the old one goes: the MIG rolls over to it.
    create_before_destroy = true
  }
}

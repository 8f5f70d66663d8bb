output "ilb_address" {
  description = "Internal IP address of the load balancer."
  value       = google_compute_forwarding_rule.compilerd.ip_address
}

output "dns_name" {
  description = "Internal DNS name of the load balancer (from service_label)."
  value       = google_compute_forwarding_rule.compilerd.service_name
}

output "compile_url" {
  description = "Where the frontends send programs."
  value       = "http://${google_compute_forwarding_rule.compilerd.service_name}:${var.port}/compile"
}

output "service_account_email" {
  description = "Identity of the VMs; grant it roles/storage.objectViewer if the release is a private GCS object."
  value       = google_service_account.compilerd.email
}

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

output "image_registry" {
  description = "REGISTRY for scripts/release-images.sh: the Artifact Registry repository the VMs pull the sandbox images from."
  value       = local.image_registry
}

output "service_account_email" {
  description = "Identity of the VMs; grant it roles/storage.objectViewer if the release is a private GCS object."
  value       = google_service_account.compilerd.email
}

output "shared_cache_url" {
  description = "What the VMs get as --shared-cache (metadata compilerd-shared-cache); empty when the shared cache is off."
  value       = local.shared_cache_url
}

output "shared_cache_ca_certs" {
  description = "PEM CA certificates of the shared cache when it uses TLS (shared_cache_tls): the server must trust them for rediss://."
  value       = var.shared_cache_enabled && var.shared_cache_tls ? [for c in google_redis_instance.shared_cache[0].server_ca_certs : c.cert] : []
}

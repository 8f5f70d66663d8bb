variable "project" {
  description = "Google Cloud project that hosts the fleet."
  type        = string
}

variable "region" {
  description = "Region of the MIG, the internal load balancer and the subnetwork (VMs spread over 3 of its zones)."
  type        = string
  default     = "us-central1"
}

variable "network" {
  description = "VPC network (name or self link) the VMs and the load balancer live in."
  type        = string
  default     = "default"
}

variable "subnetwork" {
  description = "Subnetwork in var.region for the VMs and the load balancer address. Needs egress to the Debian mirror (Cloud NAT): the VMs have no external IP."
  type        = string
}

variable "machine_type" {
  description = "Machine type of each VM: every CPU runs one sandbox at a time (Defaults: concurrent runs = CPUs)."
  type        = string
  default     = "e2-standard-2"
}

variable "vm_image" {
  description = "Boot image. vm/startup.sh installs docker.io and runsc from Debian, so keep it Debian 12 or later."
  type        = string
  default     = "debian-cloud/debian-12"
}

variable "disk_size_gb" {
  description = "Boot disk: Debian + Docker + the sandbox image (Go toolchain and a pre-built std cache)."
  type        = number
  default     = 20
}

variable "release_url" {
  description = "URL of the release tarball (repo tree with vm/startup.sh and target/compilerd.jar at its top). Changing it rolls the fleet."
  type        = string
}

variable "release_sha256" {
  description = "Optional SHA-256 of the release tarball; when set, a VM refuses a tarball that does not match."
  type        = string
  default     = ""
}

variable "min_replicas" {
  description = "Fewest VMs. Roughly one in five is booting at any time (10 min boot, then 30-60 min of service)."
  type        = number
  default     = 3
}

variable "max_replicas" {
  description = "Most VMs the autoscaler may run."
  type        = number
  default     = 9
}

variable "port" {
  description = "Port compilerd listens on (Defaults.PORT); the health checks, the named port, the forwarding rule and the firewall use it."
  type        = number
  default     = 8080
}

variable "frontend_cidr" {
  description = "Source range of the playground frontends, the only clients allowed to reach the port."
  type        = string
}

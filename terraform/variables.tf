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
  description = "Subnetwork in var.region for the VMs and the load balancer address. Needs Private Google Access and a Cloud NAT (for the Debian mirror): the VMs have no external IP."
  type        = string
}

variable "machine_type" {
  description = "Machine type of each VM: every CPU runs one sandbox at a time (Defaults: concurrent runs = CPUs)."
  type        = string
  default     = "e2-standard-2"
}

variable "vm_image" {
  description = "Boot image. vm/startup.sh installs docker.io, a JRE and (as gVisor's fallback) runsc from Debian, so keep it Debian 12 or later; README.md describes a baked image that needs no installs."
  type        = string
  default     = "debian-cloud/debian-12"
}

variable "disk_size_gb" {
  description = "Boot disk: Debian + Docker + the sandbox image (Go toolchain and a pre-built std cache)."
  type        = number
  default     = 20
}

variable "release_url" {
  description = "URL of the release tarball (repo tree with vm/startup.sh, target/compilerd.jar and images.lock at its top). Changing it rolls the fleet."
  type        = string
}

variable "release_sha256" {
  description = "SHA-256 of the release tarball (sha256sum, 64 lowercase hex characters). Required: a VM refuses a tarball that does not match, and refuses to boot without it."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.release_sha256))
    error_message = "release_sha256 must be the tarball's SHA-256: 64 lowercase hex characters (sha256sum compilerd.tar.gz | cut -d' ' -f1)."
  }
}

variable "min_replicas" {
  description = "Fewest VMs. A few percent of them are booting at any time (about 3 min of boot, then 30-60 min of service)."
  type        = number
  default     = 3
}

variable "max_replicas" {
  description = "Most VMs the autoscaler may run. The servers retire one at a time (--retire-at-once 1), enough for up to 9 VMs; above that, add --retire-at-once ceil(max_replicas / 9) to COMPILERD_FLAGS."
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

  validation {
    # cidrhost fails on anything that is not a CIDR; the prefix length must not be 0 (0.0.0.0/0, ::/0).
    condition     = can(cidrhost(var.frontend_cidr, 0)) && can(regex("/[1-9][0-9]*$", var.frontend_cidr))
    error_message = "frontend_cidr must be a CIDR (e.g. 10.0.0.0/24) naming the frontends, never 0.0.0.0/0 or ::/0."
  }
}

variable "metrics_scraper_cidrs" {
  description = "Source ranges of the Prometheus servers that scrape GET /metrics on the server port (monitoring/README.md). Empty: no rule, only frontends and health checkers get in."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.metrics_scraper_cidrs : can(cidrhost(c, 0)) && can(regex("/[1-9][0-9]*$", c))])
    error_message = "metrics_scraper_cidrs must be CIDRs, none of them 0.0.0.0/0 or ::/0."
  }
}

# --- egress: the VMs may reach exactly these (firewall.tf); everything else is denied ---

variable "debian_mirror_cidrs" {
  description = "Addresses of the Debian mirror the VMs' apt sources name (TCP 80 and 443, through Cloud NAT). The recipe installs packages and debootstraps the sandbox image from it at boot; see README.md for an image that needs none."
  type        = list(string)

  validation {
    condition     = length(var.debian_mirror_cidrs) > 0 && alltrue([for c in var.debian_mirror_cidrs : can(cidrhost(c, 0)) && can(regex("/[1-9][0-9]*$", c))])
    error_message = "debian_mirror_cidrs must be a non-empty list of CIDRs, none of them 0.0.0.0/0 or ::/0."
  }
}

variable "google_apis_cidrs" {
  description = "Where the VMs reach Google APIs (TCP 443): the release in Cloud Storage, the sandbox images in Artifact Registry, gVisor's release bucket. Default: private.googleapis.com, which needs Private Google Access on the subnetwork; dns.tf points googleapis.com and pkg.dev at the first range (README.md)."
  type        = list(string)
  default     = ["199.36.153.8/30"]

  validation {
    condition     = length(var.google_apis_cidrs) > 0 && alltrue([for c in var.google_apis_cidrs : can(cidrhost(c, 0)) && can(regex("/[1-9][0-9]*$", c))])
    error_message = "google_apis_cidrs must be a non-empty list of CIDRs, none of them 0.0.0.0/0 or ::/0."
  }
}

variable "private_google_access_dns" {
  description = "Create private Cloud DNS zones on var.network that send googleapis.com and pkg.dev to var.google_apis_cidrs (dns.tf). Set false when the network already has zones for them."
  type        = bool
  default     = true
}

# --- optional shared result cache (cache.tf) ---

variable "shared_cache_enabled" {
  description = "Create a Memorystore for Redis instance and hand its address to every VM (--shared-cache)."
  type        = bool
  default     = false
}

variable "shared_cache_tier" {
  description = "BASIC (one node: losing it only costs cache hits) or STANDARD_HA (a replica, failover)."
  type        = string
  default     = "BASIC"

  validation {
    condition     = contains(["BASIC", "STANDARD_HA"], var.shared_cache_tier)
    error_message = "shared_cache_tier must be BASIC or STANDARD_HA."
  }
}

variable "shared_cache_memory_gb" {
  description = "Memory of the shared cache in GiB; results are at most a few hundred KiB, least recently used ones are evicted."
  type        = number
  default     = 1
}

variable "shared_cache_redis_version" {
  description = "Redis version of the shared cache."
  type        = string
  default     = "REDIS_7_2"
}

variable "shared_cache_connect_mode" {
  description = "DIRECT_PEERING (the instance peers into var.network by itself) or PRIVATE_SERVICE_ACCESS (uses the network's existing private services access connection; needed with Shared VPC)."
  type        = string
  default     = "DIRECT_PEERING"

  validation {
    condition     = contains(["DIRECT_PEERING", "PRIVATE_SERVICE_ACCESS"], var.shared_cache_connect_mode)
    error_message = "shared_cache_connect_mode must be DIRECT_PEERING or PRIVATE_SERVICE_ACCESS."
  }
}

variable "shared_cache_tls" {
  description = "In-transit encryption (TLS with server authentication, port 6378): the VMs get a rediss:// URL. The server must then trust the instance's CA (output shared_cache_ca_certs); see README.md."
  type        = bool
  default     = false
}

# --- optional Go module proxy (issue 21; firewall.tf, README.md "Go modules") ---

variable "module_proxy_url" {
  description = "Upstream Go module proxy the servers fetch modules from for the sandboxes (--module-proxy), e.g. https://proxy.golang.org. The sandboxes never reach it: only the server does. Empty: off, programs get only the image's modules. README.md says why proxy.golang.org and not an Artifact Registry remote repository."
  type        = string
  default     = ""

  validation {
    # What vm/cloud-init.yaml accepts: https, a host, an optional port and path; no query, no credentials.
    condition     = var.module_proxy_url == "" || can(regex("^https://[a-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._/-]*)?$", var.module_proxy_url))
    error_message = "module_proxy_url must be empty (off) or an https:// URL without query or credentials, like https://proxy.golang.org."
  }
}

variable "module_proxy_cidrs" {
  description = "Addresses the module proxy answers on (TCP 443, through Cloud NAT), for the egress rule: required with module_proxy_url. proxy.golang.org also relays the checksum database, so it needs no rule of its own."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.module_proxy_cidrs : can(cidrhost(c, 0)) && can(regex("/[1-9][0-9]*$", c))])
    error_message = "module_proxy_cidrs must be CIDRs, none of them 0.0.0.0/0 or ::/0."
  }
}

variable "module_sumdb" {
  description = "Checksum database the go command in the sandbox verifies modules with, relayed through the module proxy (--module-sumdb): NAME, NAME+KEY, or off for a private proxy whose modules sum.golang.org does not know."
  type        = string
  default     = "sum.golang.org"

  validation {
    condition     = var.module_sumdb == "off" || can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9](\\+[A-Za-z0-9+/=]+)?$", var.module_sumdb))
    error_message = "module_sumdb must be off, a name such as sum.golang.org, or NAME+KEY (GOSUMDB's forms)."
  }
}

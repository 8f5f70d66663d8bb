terraform {
  required_version = ">= 1.3"

  required_providers {
    # 5.37 is the first release whose GA provider has scheduling.max_run_duration (main.tf).
    google = {
      source  = "hashicorp/google"
      version = ">= 5.37, < 7.0"
    }
  }
}

provider "google" {
  project = var.project
  region  = var.region
}

variable "region" {
  description = "AWS region of the EC2 host (ECR Public itself is always us-east-1)."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "book-shop"
}

variable "instance_type" {
  description = "Instance type; MicroK8s and the dev container want at least 4 GiB."
  type        = string
  default     = "t3.medium"
}

variable "ami_id" {
  description = "An AMI to use instead of the newest Ubuntu 24.04 LTS from Canonical."
  type        = string
  default     = ""
}

variable "ssh_public_key" {
  description = "The public half of the key whose private half is the EC2_SSH_KEY secret."
  type        = string
}

variable "ssh_user" {
  description = "The login user (Ubuntu AMIs: ubuntu); it joins the docker and microk8s groups."
  type        = string
  default     = "ubuntu"
}

variable "ssh_allowed_cidrs" {
  description = "Who may reach SSH: your office or runner ranges. No default, and never the whole internet."
  type        = list(string)

  validation {
    condition     = length(var.ssh_allowed_cidrs) > 0 && alltrue([for cidr in var.ssh_allowed_cidrs : can(cidrhost(cidr, 0)) && !contains(["0.0.0.0/0", "::/0"], cidr)])
    error_message = "ssh_allowed_cidrs must list valid CIDR blocks and must not contain 0.0.0.0/0 or ::/0."
  }
}

variable "app_allowed_cidrs" {
  description = "Who may reach the dev site (8080) and production (the NodePort)."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "prod_node_port" {
  description = "The NodePort of the book-shop Service (manifests/service.yaml)."
  type        = number
  default     = 30080
}

variable "microk8s_channel" {
  description = "The MicroK8s snap channel."
  type        = string
  default     = "1.32/stable"
}

variable "root_volume_gb" {
  description = "Size of the encrypted root volume, in GiB (images and the snap live there)."
  type        = number
  default     = 30
}

variable "region" {
  description = "AWS region of the EC2 host (ECR Public itself is always us-east-1)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region code such as us-east-1 or eu-central-1."
  }
}

variable "name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "book-shop"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name))
    error_message = "name must be 2 to 32 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "repository" {
  description = "The ECR Public repository the pipeline pushes to (the IMAGE_REPOSITORY setting)."
  type        = string
  default     = "book-shop"

  validation {
    condition     = can(regex("^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$", var.repository)) && length(var.repository) <= 205
    error_message = "repository must be a repository name: lower-case letters, digits, and . _ - / between them."
  }
}

variable "github_repository" {
  description = "The GitHub repository (owner/name) whose workflows may assume the push roles."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository)) && !can(regex("/\\.{1,2}$", var.github_repository))
    error_message = "github_repository must be owner/name as GitHub spells it."
  }
}

variable "instance_type" {
  description = "Instance type; MicroK8s and the dev container want at least 4 GiB."
  type        = string
  default     = "t3.medium"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be an EC2 instance type such as t3.medium."
  }
}

variable "ami_id" {
  description = "An AMI to use instead of the newest Ubuntu 24.04 LTS from Canonical (read at the first apply only: the host is never replaced for a newer AMI unasked)."
  type        = string
  default     = ""

  validation {
    condition     = var.ami_id == "" || can(regex("^ami-[0-9a-f]{8}([0-9a-f]{9})?$", var.ami_id))
    error_message = "ami_id must be empty or an AMI ID such as ami-0123456789abcdef0."
  }
}

variable "ssh_public_key" {
  description = "The public half of the key whose private half is the EC2_SSH_KEY secret."
  type        = string

  validation {
    condition     = can(regex("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}( .*)?$", var.ssh_public_key))
    error_message = "ssh_public_key must be one OpenSSH public key line (ssh-ed25519 AAAA... comment)."
  }
}

variable "ssh_user" {
  description = "The AMI's login user, which gets the key pair (Ubuntu AMIs: ubuntu); it joins the docker and microk8s groups."
  type        = string
  default     = "ubuntu"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_-]{0,31}$", var.ssh_user))
    error_message = "ssh_user must be a Linux user name (lower case, at most 32 characters)."
  }

  # EC2 puts the key pair into the AMI's own default user only; no other user exists to log in as.
  validation {
    condition     = var.ami_id != "" || var.ssh_user == "ubuntu"
    error_message = "Canonical's Ubuntu AMI logs in as ubuntu only: leave ssh_user at ubuntu, or set ami_id to an AMI whose default user is ssh_user."
  }
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

  validation {
    condition     = length(var.app_allowed_cidrs) > 0 && alltrue([for cidr in var.app_allowed_cidrs : can(cidrhost(cidr, 0))])
    error_message = "app_allowed_cidrs must list valid CIDR blocks."
  }
}

variable "prod_node_port" {
  description = "The NodePort of the book-shop Service (manifests/service.yaml)."
  type        = number
  default     = 30080

  validation {
    condition     = var.prod_node_port >= 30000 && var.prod_node_port <= 32767 && floor(var.prod_node_port) == var.prod_node_port
    error_message = "prod_node_port must be in Kubernetes' NodePort range, 30000 to 32767."
  }
}

variable "microk8s_channel" {
  description = "The MicroK8s snap channel, installed at the first boot (a later change does not touch the running host: `snap refresh` it there)."
  type        = string
  default     = "1.32/stable"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+/(stable|candidate|beta|edge)$", var.microk8s_channel))
    error_message = "microk8s_channel must be a snap channel such as 1.32/stable."
  }
}

variable "root_volume_gb" {
  description = "Size of the encrypted root volume, in GiB (images and the snap live there)."
  type        = number
  default     = 30

  validation {
    condition     = var.root_volume_gb >= 20 && var.root_volume_gb <= 1024
    error_message = "root_volume_gb must be between 20 and 1024: images and the MicroK8s snap need room."
  }
}

variable "github_oidc_provider_arn" {
  description = "The ARN of the account's existing OIDC provider for https://token.actions.githubusercontent.com, when it has one (an account has at most one per URL); empty makes it."
  type        = string
  default     = ""

  validation {
    condition     = var.github_oidc_provider_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.github_oidc_provider_arn))
    error_message = "github_oidc_provider_arn must be empty or the ARN of GitHub's OIDC provider: arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com (aws iam list-open-id-connect-providers)."
  }
}

variable "subnet_id" {
  description = "A public subnet for the host; empty uses the region's default VPC, which an account may not have."
  type        = string
  default     = ""

  validation {
    condition     = var.subnet_id == "" || can(regex("^subnet-[0-9a-f]{8}([0-9a-f]{9})?$", var.subnet_id))
    error_message = "subnet_id must be empty or a subnet ID such as subnet-0123456789abcdef0."
  }
}

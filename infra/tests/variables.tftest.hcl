# Each variable refuses its bad values with its own message, before anything is planned.

# The AWS provider mocked with its real schema and validators, its answers in tests/mocks/;
# the variables every file starts from are in tests/terraform.tfvars.
mock_provider "aws" {
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "us_east_1"
  source = "./tests/mocks"
}

run "realistic_values_pass" {
  command = plan
  variables {
    region                   = "eu-central-1"
    name                     = "shop-prod"
    repository               = "team/book-shop"
    instance_type            = "m7i.large"
    ami_id                   = "ami-0fedcba9876543210"
    ssh_user                 = "admin"
    app_allowed_cidrs        = ["0.0.0.0/0", "::/0"]
    prod_node_port           = 31000
    microk8s_channel         = "1.31/stable"
    root_volume_gb           = 50
    github_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    subnet_id                = "subnet-0123456789abcdef0"
  }
}

# Each run sets one bad value of several variables at once and expects every one of them to be
# refused by its own validation (a run fails on any failure it does not expect): fewer runs,
# since each run starts the provider anew. (ssh_user has runs of its own, below.)
run "bad_values_1" {
  command = plan
  variables {
    region                   = "us-east"
    name                     = "Book-Shop"
    repository               = "Book-Shop"
    github_repository        = "book-shop"
    instance_type            = "medium"
    ami_id                   = "ami-123"
    ssh_public_key           = "ssh-ed25519"
    ssh_allowed_cidrs        = []
    app_allowed_cidrs        = []
    prod_node_port           = 8080
    microk8s_channel         = "latest"
    root_volume_gb           = 8
    github_oidc_provider_arn = "token.actions.githubusercontent.com"
    subnet_id                = "subnet-1"
  }
  expect_failures = [var.region, var.name, var.repository, var.github_repository, var.instance_type, var.ami_id, var.ssh_public_key, var.ssh_allowed_cidrs, var.app_allowed_cidrs, var.prod_node_port, var.microk8s_channel, var.root_volume_gb, var.github_oidc_provider_arn, var.subnet_id]
}

run "bad_values_2" {
  command = plan
  variables {
    region                   = "US-EAST-1"
    name                     = "b"
    repository               = "book--"
    github_repository        = "acme/.."
    ssh_public_key           = "-----BEGIN OPENSSH PRIVATE KEY-----"
    ssh_allowed_cidrs        = ["0.0.0.0/0"]
    app_allowed_cidrs        = ["everyone"]
    prod_node_port           = 30080.5
    github_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/gitlab.com"
  }
  expect_failures = [var.region, var.name, var.repository, var.github_repository, var.ssh_public_key, var.ssh_allowed_cidrs, var.app_allowed_cidrs, var.prod_node_port, var.github_oidc_provider_arn]
}

run "bad_values_3" {
  command = plan
  variables {
    name              = "book-shop-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    ssh_allowed_cidrs = ["::/0"]
  }
  expect_failures = [var.name, var.ssh_allowed_cidrs]
}

run "bad_values_4" {
  command = plan
  variables {
    ssh_allowed_cidrs = ["203.0.113.0/33"]
  }
  expect_failures = [var.ssh_allowed_cidrs]
}

# ssh_user's second rule reads ami_id: with ami_id refused too, Terraform checks neither rule.
run "ssh_user_refuses_a_name_that_is_no_user_name" {
  command = plan
  variables {
    ssh_user = "Root"
  }
  expect_failures = [var.ssh_user]
}

# Canonical's Ubuntu AMI has one login user, ubuntu: another ssh_user would get no key.
run "ssh_user_other_than_ubuntu_needs_an_ami_of_its_own" {
  command = plan
  variables {
    ssh_user = "deploy"
  }
  expect_failures = [var.ssh_user]
}

# Without subnet_id the host goes into the region's default VPC; an account without one is told
# what to set instead of failing inside the provider.
run "an_account_without_a_default_vpc_is_told_to_set_subnet_id" {
  command = plan
  override_data {
    target = data.aws_vpcs.default
    values = { ids = [] }
  }
  expect_failures = [aws_security_group.host]
}

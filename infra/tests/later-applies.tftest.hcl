# A later apply never replaces the host: a new host would mean a new host key (every deploy refused
# until EC2_HOST_KEY is updated), an empty MicroK8s and the catalogue gone. What cloud-init did at
# the first boot is not redone; what the host needs later (the dev site) the pipeline keeps current.

# The AWS provider mocked with its real schema and validators, its answers in tests/mocks/;
# the variables every file starts from are in tests/terraform.tfvars.
mock_provider "aws" {
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "us_east_1"
  source = "./tests/mocks"
}

run "first_apply" {
  assert {
    condition     = alltrue([for package in ["docker.io", "nginx", "curl"] : contains(yamldecode(aws_instance.host.user_data).packages, package)])
    error_message = "cloud-init installs Docker, nginx and curl (the deploy's health checks)"
  }
  assert {
    condition = alltrue([for command in [
      ["usermod", "-aG", "docker", "ubuntu"],
      ["snap", "install", "microk8s", "--classic", "--channel=1.32/stable"],
      ["usermod", "-aG", "microk8s", "ubuntu"],
      ["microk8s", "enable", "hostpath-storage"],
    ] : contains(yamldecode(aws_instance.host.user_data).runcmd, command)])
    error_message = "cloud-init installs MicroK8s with the catalogue's storage and gives the SSH user docker and microk8s"
  }
  assert {
    condition     = !contains(yamldecode(aws_instance.host.user_data).runcmd, ["microk8s", "enable", "dns"])
    error_message = "CoreDNS is already on in MicroK8s 1.32's launch configuration"
  }
  assert {
    condition     = strcontains(aws_instance.host.user_data, "--channel=1.32/stable")
    error_message = "cloud-init installs the configured MicroK8s channel"
  }
  # The dev site is DeployDev's (it installs infra/nginx-dev.conf over SSH and says when it changed
  # it): were it in the user data, editing it would change the user data.
  assert {
    condition     = !strcontains(aws_instance.host.user_data, "upstream") && !strcontains(aws_instance.host.user_data, "book-shop-dev")
    error_message = "the nginx site is not part of the user data"
  }
}

run "a_later_apply_with_other_first_boot_settings_keeps_the_host" {
  variables {
    microk8s_channel = "1.33/stable"
  }
  assert {
    condition     = aws_instance.host.id == run.first_apply.instance_id
    error_message = "the host was replaced"
  }
  assert {
    condition     = strcontains(aws_instance.host.user_data, "--channel=1.32/stable")
    error_message = "the user data was changed in place (AWS stops and starts the host for that)"
  }
}

run "a_later_apply_with_a_newer_ami_keeps_the_host" {
  variables {
    ami_id = "ami-0fedcba9876543210"
  }
  assert {
    condition     = aws_instance.host.id == run.first_apply.instance_id && aws_instance.host.ami == "ami-0123456789abcdef0"
    error_message = "the host was replaced for another AMI unasked"
  }
}

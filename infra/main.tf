data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"] # Canonical

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"]
  }

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
}

resource "aws_key_pair" "deploy" {
  key_name   = "${var.name}-deploy"
  public_key = var.ssh_public_key
}

# Without subnet_id the host goes into the region's default VPC, which an account may not have.
data "aws_vpcs" "default" {
  count = var.subnet_id == "" ? 1 : 0
  filter {
    name   = "is-default"
    values = ["true"]
  }
}

data "aws_subnet" "chosen" {
  count = var.subnet_id == "" ? 0 : 1
  id    = var.subnet_id
}

locals {
  # AWS takes IPv4 and IPv6 ranges in separate lists of a rule.
  ranges = {
    for who, cidrs in { ssh = var.ssh_allowed_cidrs, app = var.app_allowed_cidrs } : who => {
      ipv4                  = [for cidr in cidrs : cidr if !strcontains(cidr, ":")]
      ipv6                  = [for cidr in cidrs : cidr if strcontains(cidr, ":")]
    }
  }
}

resource "aws_security_group" "host" {
  name        = "${var.name}-host"
  description = "SSH from the allowed ranges; the dev site and production for the app ranges."
  vpc_id      = var.subnet_id == "" ? null : data.aws_subnet.chosen[0].vpc_id

  lifecycle {
    precondition {
      condition     = var.subnet_id != "" || length(try(data.aws_vpcs.default[0].ids, [])) > 0
      error_message = "This account has no default VPC in ${var.region}: set subnet_id to a public subnet (one whose route table sends 0.0.0.0/0 to an internet gateway) of the VPC the host should live in."
    }
  }

  ingress {
    description      = "SSH (deploys and rollouts)"
    from_port        = 22
    to_port          = 22
    protocol         = "tcp"
    cidr_blocks      = local.ranges.ssh.ipv4
    ipv6_cidr_blocks = local.ranges.ssh.ipv6
  }

  ingress {
    description      = "Dev: nginx on 8080 in front of the dev-app container on 127.0.0.1:4000"
    from_port        = 8080
    to_port          = 8080
    protocol         = "tcp"
    cidr_blocks      = local.ranges.app.ipv4
    ipv6_cidr_blocks = local.ranges.app.ipv6
  }

  ingress {
    # AWS accepts letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* here: no apostrophe.
    description      = "Production: NodePort of the book-shop Service in MicroK8s"
    from_port        = var.prod_node_port
    to_port          = var.prod_node_port
    protocol         = "tcp"
    cidr_blocks      = local.ranges.app.ipv4
    ipv6_cidr_blocks = local.ranges.app.ipv6
  }

  egress {
    description      = "Image pulls (ECR Public), packages and snaps"
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }
}

resource "aws_instance" "host" {
  ami                    = var.ami_id != "" ? var.ami_id : data.aws_ami.ubuntu.id
  instance_type          = var.instance_type
  key_name               = aws_key_pair.deploy.key_name
  subnet_id              = var.subnet_id == "" ? null : var.subnet_id
  vpc_security_group_ids = [aws_security_group.host.id]

  # First boot only. The dev site is not in here: DeployDev installs infra/nginx-dev.conf over
  # SSH on every deploy and says when it changed it, so editing the site never touches the host.
  user_data = templatefile("${path.module}/cloud-init.yaml.tftpl", {
    ssh_user         = var.ssh_user
    microk8s_channel = var.microk8s_channel
  })

  # A new host means a new host key (every deploy refused until EC2_HOST_KEY changes), an empty
  # MicroK8s and the catalogue gone; a changed user data is applied by stopping the host. So the
  # AMI (the newest changes every few weeks) and the first-boot settings are read at the first
  # apply only. Replacing the host is deliberate: `terraform apply -replace=aws_instance.host`.
  lifecycle {
    ignore_changes = [ami, user_data]
  }

  metadata_options {
    http_tokens = "required"
  }

  root_block_device {
    volume_size = var.root_volume_gb
    volume_type = "gp3"
    encrypted   = true
  }

  tags = {
    Name = "${var.name}-host"
  }
}

resource "aws_eip" "host" {
  instance = aws_instance.host.id
  domain   = "vpc"
}

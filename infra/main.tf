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

resource "aws_security_group" "host" {
  name        = "${var.name}-host"
  description = "SSH from the allowed ranges; the dev site and production for the app ranges."

  ingress {
    description = "SSH (deploys and rollouts)"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.ssh_allowed_cidrs
  }

  ingress {
    description = "Dev: nginx on 8080 in front of the dev-app container on 127.0.0.1:4000"
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = var.app_allowed_cidrs
  }

  ingress {
    description = "Production: the book-shop Service's NodePort in MicroK8s"
    from_port   = var.prod_node_port
    to_port     = var.prod_node_port
    protocol    = "tcp"
    cidr_blocks = var.app_allowed_cidrs
  }

  egress {
    description = "Image pulls (ECR Public), packages and snaps"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "host" {
  ami                    = var.ami_id != "" ? var.ami_id : data.aws_ami.ubuntu.id
  instance_type          = var.instance_type
  key_name               = aws_key_pair.deploy.key_name
  vpc_security_group_ids = [aws_security_group.host.id]

  user_data = templatefile("${path.module}/cloud-init.yaml.tftpl", {
    ssh_user         = var.ssh_user
    microk8s_channel = var.microk8s_channel
    nginx_site       = file("${path.module}/nginx-dev.conf")
  })
  user_data_replace_on_change = true

  # The newest Ubuntu AMI changes every few weeks: without this, a routine apply months later
  # would replace the host, its MicroK8s, its data and the host key the pipeline pins. Upgrading
  # the host is a deliberate act: `terraform apply -replace=aws_instance.host`.
  lifecycle {
    ignore_changes = [ami]
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

output "public_ip" {
  description = "The host's address: the EC2_HOST secret."
  value       = aws_eip.host.public_ip
}

output "dev_url" {
  description = "The dev site (nginx on 8080 -> dev-app on 4000 -> the app on 8000)."
  value       = "http://${aws_eip.host.public_ip}:8080/"
}

output "prod_url" {
  description = "Production (the book-shop Service's NodePort)."
  value       = "http://${aws_eip.host.public_ip}:${var.prod_node_port}/"
}

output "instance_id" {
  description = "The EC2 instance; the same on every later apply (the host is never replaced unasked)."
  value       = aws_instance.host.id
}

output "host_key_command" {
  description = "Prints the host's keys from its console, where cloud-init wrote them at first boot; put any one of its lines (ed25519, ecdsa or rsa), prefixed with the address, into the EC2_HOST_KEY secret. Reading it from the console, not from ssh-keyscan, avoids trusting the network on first use."
  value       = "aws ec2 get-console-output --region ${var.region} --instance-id ${aws_instance.host.id} --latest --output text | sed -n '/BEGIN SSH HOST KEY KEYS/,/END SSH HOST KEY KEYS/p'"
}

output "registry" {
  description = "The REGISTRY repository variable: public.ecr.aws/<your alias>."
  value       = dirname(aws_ecrpublic_repository.app.repository_uri)
}

output "image_repository" {
  description = "The IMAGE_REPOSITORY setting (the default, book-shop, unless you changed it)."
  value       = aws_ecrpublic_repository.app.repository_name
}

output "dev_role_arn" {
  description = "The AWS_ROLE_ARN variable of the dev environment: the role the dev workflow assumes (OIDC)."
  value       = aws_iam_role.push["dev"].arn
}

output "release_role_arn" {
  description = "The AWS_ROLE_ARN variable of the production environment: the role the prod workflow assumes (OIDC)."
  value       = aws_iam_role.push["release"].arn
}

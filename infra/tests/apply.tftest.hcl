# The whole module planned and applied offline: `mock_provider` keeps the real hashicorp/aws
# provider's schema and validators (what refused the first apply of an apostrophe in a rule's
# description) and makes up only what AWS would compute. Run: tests/infra (node --test).

# The AWS provider mocked with its real schema and validators, its answers in tests/mocks/;
# the variables every file starts from are in tests/terraform.tfvars.
mock_provider "aws" {
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "us_east_1"
  source = "./tests/mocks"
}

run "a_first_apply_in_a_fresh_account" {
  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 1
    error_message = "an account without GitHub's OIDC provider gets one"
  }
  assert {
    condition = alltrue([for role in keys(local.push_roles) :
      one(tolist(data.aws_iam_policy_document.assume_from_github[role].statement)[0].principals).identifiers == toset([aws_iam_openid_connect_provider.github[0].arn])
    ])
    error_message = "both roles trust the OIDC provider the module made"
  }
  assert {
    condition = alltrue([for role, facts in local.push_roles :
      contains(flatten([for condition in tolist(data.aws_iam_policy_document.assume_from_github[role].statement)[0].condition : condition.values if condition.variable == "token.actions.githubusercontent.com:sub" && condition.test == "StringEquals"]),
      "repo:acme/book-shop:environment:${facts.environment}")
    ])
    error_message = "only this repository's jobs of the role's own environment may assume it, matched exactly"
  }
  assert {
    condition     = sort([for rule in aws_security_group.host.ingress : "${rule.from_port}-${rule.to_port}"]) == sort(["22-22", "8080-8080", "30080-30080"])
    error_message = "SSH, the dev site and the production NodePort, nothing else"
  }
  assert {
    condition     = one([for rule in aws_security_group.host.ingress : rule.cidr_blocks if rule.from_port == 22]) == tolist(["203.0.113.0/24"])
    error_message = "SSH is open to ssh_allowed_cidrs only"
  }
  assert {
    condition     = aws_instance.host.metadata_options[0].http_tokens == "required" && aws_instance.host.root_block_device[0].encrypted
    error_message = "IMDSv2 only, and an encrypted root volume"
  }
  assert {
    condition     = aws_instance.host.ami == "ami-0123456789abcdef0"
    error_message = "the newest Ubuntu AMI when ami_id is empty"
  }
  assert {
    condition     = aws_ecrpublic_repository.app.repository_name == "book-shop"
    error_message = "the repository is the IMAGE_REPOSITORY default"
  }
  # What the README tells an adopter to copy into GitHub.
  assert {
    condition     = output.registry == "public.ecr.aws/a1b2c3d4" && output.image_repository == "book-shop"
    error_message = "REGISTRY and IMAGE_REPOSITORY as the pipeline reads them"
  }
  assert {
    condition     = output.public_ip == "198.51.100.7" && output.dev_url == "http://198.51.100.7:8080/" && output.prod_url == "http://198.51.100.7:30080/"
    error_message = "EC2_HOST and the two sites"
  }
  assert {
    condition     = startswith(output.host_key_command, "aws ec2 get-console-output --region us-east-1 --instance-id ${aws_instance.host.id} ")
    error_message = "the host keys are read from the instance's console"
  }
  assert {
    condition     = output.dev_role_arn == aws_iam_role.push["dev"].arn && output.release_role_arn == aws_iam_role.push["release"].arn
    error_message = "AWS_ROLE_ARN of the dev and the production environments"
  }
}

# AWS refuses characters in names and descriptions that Terraform happily plans; the provider
# checks only some of them (ingress rules, not the group's own description), so all are checked here.
run "every_name_and_description_is_one_aws_accepts" {
  command = plan

  assert {
    condition = alltrue([for text in concat(
      [aws_security_group.host.name, aws_security_group.host.description],
      [for rule in aws_security_group.host.ingress : rule.description],
      [for rule in aws_security_group.host.egress : rule.description],
    ) : can(regex("^[0-9A-Za-z_ .:/()#,@\\[\\]+=&;{}!$*-]{1,255}$", text))])
    error_message = "security group names and descriptions: letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* only, at most 255"
  }
  assert {
    condition = alltrue([for role in aws_iam_role.push :
      can(regex("^[0-9A-Za-z+=,.@_-]{1,64}$", role.name)) && can(regex("^[\\t\\n\\r -~\\x{A1}-\\x{FF}]{0,1000}$", role.description))
    ])
    error_message = "IAM role names ([\\w+=,.@-], at most 64) and descriptions (printable Latin-1, at most 1000)"
  }
  assert {
    condition     = alltrue([for policy in aws_iam_role_policy.push : can(regex("^[0-9A-Za-z+=,.@_-]{1,128}$", policy.name))])
    error_message = "IAM policy names"
  }
  assert {
    condition     = can(regex("^[ -~]{1,255}$", aws_key_pair.deploy.key_name))
    error_message = "key pair names are printable ASCII, at most 255"
  }
}

run "a_longest_name_still_fits" {
  command = plan
  variables {
    name = "a-name-of-thirty-two-characters1"
  }
  assert {
    condition     = alltrue([for role in aws_iam_role.push : length(role.name) <= 64])
    error_message = "the longest name prefix still makes valid role names"
  }
}

run "an_account_that_already_trusts_github" {
  variables {
    github_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  }
  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0
    error_message = "an existing provider is reused, not created a second time (EntityAlreadyExists)"
  }
  assert {
    condition = alltrue([for role in keys(local.push_roles) :
      one(tolist(data.aws_iam_policy_document.assume_from_github[role].statement)[0].principals).identifiers == toset(["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"])
    ])
    error_message = "both roles trust the existing provider"
  }
}

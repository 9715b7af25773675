# GitHub Actions signs in to AWS with short-lived credentials (OIDC), not an IAM user's keys.
# Two roles, each assumable only by one environment's jobs of this repository: dev pushes
# snapshots (the dev workflow's `dev` environment), production pushes release tags (Retag, in the
# prod workflow's `production` environment). Both may do exactly what the pipeline does with the
# registry, on the one repository.
# An account has at most one provider per URL: one that already trusts GitHub (another
# repository's pipeline) is reused through github_oidc_provider_arn.
resource "aws_iam_openid_connect_provider" "github" {
  count          = var.github_oidc_provider_arn == "" ? 1 : 0
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
  # AWS verifies GitHub's certificate itself; the list is still required by the API.
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
}

# Which role the jobs of which GitHub environment may assume.
locals {
  github_oidc_provider_arn = var.github_oidc_provider_arn != "" ? var.github_oidc_provider_arn : aws_iam_openid_connect_provider.github[0].arn

  push_roles = {
    dev     = { environment = "dev", does = "pushes snapshot images" }
    release = { environment = "production", does = "tags releases" }
  }
}

data "aws_iam_policy_document" "assume_from_github" {
  for_each = local.push_roles

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:environment:${each.value.environment}"]
    }
  }
}

# What the pipeline does with the registry: a token (GetAuthorizationToken and the STS bearer
# token it needs; neither has a resource to scope to), and pushing to the one repository.
data "aws_iam_policy_document" "push" {
  statement {
    sid       = "RegistryToken"
    actions   = ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"]
    resources = ["*"]
  }
  statement {
    sid = "PushToTheRepository"
    actions = [
      "ecr-public:BatchCheckLayerAvailability",
      "ecr-public:InitiateLayerUpload",
      "ecr-public:UploadLayerPart",
      "ecr-public:CompleteLayerUpload",
      "ecr-public:PutImage",
    ]
    resources = [aws_ecrpublic_repository.app.arn]
  }
}

resource "aws_iam_role" "push" {
  for_each             = local.push_roles
  name                 = "${var.name}-${each.key}-push"
  description          = "GitHub Actions, ${var.github_repository}, environment ${each.value.environment}: ${each.value.does}."
  assume_role_policy   = data.aws_iam_policy_document.assume_from_github[each.key].json
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "push" {
  for_each = local.push_roles
  # IAM names take [\w+=,.@-] only, and a repository name may hold a slash.
  name   = "push-images"
  role   = aws_iam_role.push[each.key].id
  policy = data.aws_iam_policy_document.push.json
}

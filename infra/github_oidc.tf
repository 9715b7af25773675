# GitHub Actions signs in to AWS with short-lived credentials (OIDC), not an IAM user's keys.
# Two roles, each assumable only by one environment's jobs of this repository: dev pushes
# snapshots (the dev workflow's `dev` environment), production pushes release tags (Retag, in the
# prod workflow's `production` environment). Both may do exactly what the pipeline does with the
# registry, on the one repository.
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
  # AWS verifies GitHub's certificate itself; the list is still required by the API.
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
}

data "aws_iam_policy_document" "assume_from_dev" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:environment:dev"]
    }
  }
}

data "aws_iam_policy_document" "assume_from_production" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:environment:production"]
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

resource "aws_iam_role" "dev" {
  name                 = "${var.name}-dev-push"
  description          = "GitHub Actions, ${var.github_repository}, environment dev: pushes snapshot images."
  assume_role_policy   = data.aws_iam_policy_document.assume_from_dev.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "dev_push" {
  name   = "push-${var.repository}"
  role   = aws_iam_role.dev.id
  policy = data.aws_iam_policy_document.push.json
}

resource "aws_iam_role" "release" {
  name                 = "${var.name}-release-push"
  description          = "GitHub Actions, ${var.github_repository}, environment production: tags releases."
  assume_role_policy   = data.aws_iam_policy_document.assume_from_production.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "release_push" {
  name   = "push-${var.repository}"
  role   = aws_iam_role.release.id
  policy = data.aws_iam_policy_document.push.json
}

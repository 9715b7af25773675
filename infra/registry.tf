# The ECR Public repository the pipeline pushes to. ECR Public lives in us-east-1 only, whatever
# region the host is in: hence a provider of its own.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = {
      Project   = var.name
      ManagedBy = "terraform"
    }
  }
}

resource "aws_ecrpublic_repository" "app" {
  provider        = aws.us_east_1
  repository_name = var.repository

  catalog_data {
    description = "The book-shop application: X.Y.Z-SNAPSHOT-<sha7> from dev, vX.Y.Z releases of the same images."
  }
}

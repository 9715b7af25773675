# What the mocked AWS provider answers where its made-up values would not do: values of the shape
# AWS gives (an AMI ID, valid JSON for IAM policies, ARNs, an address), so that the real
# provider's validators and the module's outputs see realistic data.
mock_data "aws_ami" {
  defaults = { id = "ami-0123456789abcdef0" }
}
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
mock_data "aws_vpcs" {
  defaults = { ids = ["vpc-0a1b2c3d4e5f60718"] }
}
mock_data "aws_subnet" {
  defaults = { vpc_id = "vpc-0f1e2d3c4b5a69788" }
}
mock_resource "aws_iam_openid_connect_provider" {
  defaults = { arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/book-shop-push" }
}
mock_resource "aws_eip" {
  defaults = { public_ip = "198.51.100.7" }
}
mock_resource "aws_ecrpublic_repository" {
  defaults = {
    arn            = "arn:aws:ecr-public::123456789012:repository/book-shop"
    repository_uri = "public.ecr.aws/a1b2c3d4/book-shop"
  }
}

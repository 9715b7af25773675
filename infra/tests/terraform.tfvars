# The variables every test file starts from: what an adopter must give (infra/variables.tf).
github_repository = "acme/book-shop"
ssh_public_key    = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmH8a8lWZ4T6d6yHn1Wq2I1m1oKkq5m0bq8m0Z2n3Qx deploy@acme"
ssh_allowed_cidrs = ["203.0.113.0/24"]

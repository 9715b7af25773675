#!/usr/bin/env bash
# Prints the folder of the local Terraform provider mirror that holds hashicorp/aws (the folder
# above registry.terraform.io), or says in one line what is missing and exits 1. Used by .ci/run
# and tests/infra: nothing is downloaded; the real provider runs from this mirror, offline.
set -euo pipefail
command -v terraform >/dev/null 2>&1 || { echo "terraform is not on the PATH: install Terraform 1.9 or newer" >&2; exit 1; }
if [[ -n "${TERRAFORM_PROVIDER_MIRROR:-}" ]]; then
  [[ -d "$TERRAFORM_PROVIDER_MIRROR/registry.terraform.io/hashicorp/aws" ]] ||
    { echo "TERRAFORM_PROVIDER_MIRROR=$TERRAFORM_PROVIDER_MIRROR holds no registry.terraform.io/hashicorp/aws" >&2; exit 1; }
  echo "$TERRAFORM_PROVIDER_MIRROR"; exit 0
fi
found="$(find / -maxdepth 6 -type d -path '*/registry.terraform.io/hashicorp/aws' -not -path '*/.terraform/*' 2>/dev/null | head -n 1 || true)"
[[ -n "$found" ]] || { echo "no local mirror of the hashicorp/aws Terraform provider (a folder .../registry.terraform.io/hashicorp/aws): set TERRAFORM_PROVIDER_MIRROR to it" >&2; exit 1; }
dirname "$(dirname "$(dirname "$found")")"

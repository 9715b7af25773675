// Parses infra/*.tf with @cdktf/hcl2json (offline; Terraform itself cannot be installed here)
// and checks what the EC2 host must be. Run: node --test tests/infra
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const { parse } = require("../tools/node_modules/@cdktf/hcl2json");
const infra = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "infra");

async function loadAll() {
  const merged = {};
  for (const file of (await readdir(infra)).filter((name) => name.endsWith(".tf")).sort()) {
    const json = await parse(file, await readFile(path.join(infra, file), "utf8"));
    for (const [kind, blocks] of Object.entries(json)) {
      merged[kind] = merged[kind] ?? {};
      Object.assign(merged[kind], blocks);
    }
  }
  return merged;
}

const config = await loadAll();
const securityGroup = config.resource.aws_security_group.host[0];
const variables = config.variable;

test("every .tf file parses and the AWS provider is pinned", () => {
  const aws = config.terraform[0].required_providers[0].aws;
  assert.equal(aws.source, "hashicorp/aws");
  assert.match(aws.version, /^~> \d+\.\d+$/);
  assert.match(config.terraform[0].required_version, />= 1\.\d+/);
});

test("SSH is not open to the internet by default", () => {
  const ssh = variables.ssh_allowed_cidrs[0];
  assert.equal(ssh.default, undefined, "ssh_allowed_cidrs must have no default");
  assert.match(ssh.validation[0].condition, /0\.0\.0\.0\/0/);
  const rule = securityGroup.ingress.find((r) => r.from_port === 22);
  assert.equal(rule.cidr_blocks, "${var.ssh_allowed_cidrs}");
});

test("the security group opens SSH, the dev site and the production NodePort only", () => {
  const ports = securityGroup.ingress.map((r) => `${r.from_port}-${r.to_port}`).sort();
  assert.deepEqual(ports, ["22-22", "8080-8080", "${var.prod_node_port}-${var.prod_node_port}"].sort());
  assert.equal(variables.prod_node_port[0].default, 30080);
});

test("the instance boots with the cloud-init template and hardened metadata", () => {
  const instance = config.resource.aws_instance.host[0];
  assert.match(instance.user_data, /templatefile\("\$\{path\.module\}\/cloud-init\.yaml\.tftpl"/);
  assert.match(instance.user_data, /file\("\$\{path\.module\}\/nginx-dev\.conf"\)/);
  assert.equal(instance.metadata_options[0].http_tokens, "required");
  assert.equal(instance.root_block_device[0].encrypted, true);
});

test("cloud-init installs Docker, nginx and MicroK8s and gives the SSH user their groups", async () => {
  const cloudInit = await readFile(path.join(infra, "cloud-init.yaml.tftpl"), "utf8");
  assert.match(cloudInit, /^#cloud-config/);
  for (const expected of ["- docker.io", "- nginx", "[usermod, -aG, docker, ${ssh_user}]", "[usermod, -aG, microk8s, ${ssh_user}]",
    "[snap, install, microk8s, --classic", "[microk8s, enable, dns]", "[microk8s, enable, hostpath-storage]", "${indent(6, nginx_site)}"]) {
    assert.ok(cloudInit.includes(expected), `cloud-init lacks ${expected}`);
  }
});

// nginx-dev.conf itself runs in a real nginx in the end-to-end tests (tests/env/start.sh), which
// poll through it during deploys.

test("the outputs say where the host is and how to read its host key", () => {
  assert.deepEqual(Object.keys(config.output).sort(), ["dev_url", "host_key_command", "prod_url", "public_ip"]);
  assert.match(config.output.host_key_command[0].value, /get-console-output/);
});

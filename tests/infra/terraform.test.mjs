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
      if (Array.isArray(blocks)) {
        Object.assign(merged[kind], blocks);
        continue;
      }
      // Blocks of one name in several files (two `provider "aws"`) are all kept.
      for (const [name, value] of Object.entries(blocks)) {
        merged[kind][name] = Array.isArray(value) ? [...(merged[kind][name] ?? []), ...value] : { ...merged[kind][name], ...value };
      }
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
  assert.deepEqual(Object.keys(config.output).sort(), ["dev_role_arn", "dev_url", "host_key_command", "image_repository", "prod_url", "public_ip", "registry", "release_role_arn"]);
  assert.match(config.output.host_key_command[0].value, /get-console-output/);
});

const policies = config.data.aws_iam_policy_document;

test("the ECR Public repository is made in us-east-1, where ECR Public lives", () => {
  const east = config.provider.aws.find((provider) => provider.alias === "us_east_1");
  assert.equal(east.region, "us-east-1");
  assert.equal(config.resource.aws_ecrpublic_repository.app[0].provider, "${aws.us_east_1}");
  assert.equal(config.resource.aws_ecrpublic_repository.app[0].repository_name, "${var.repository}");
});

test("GitHub's OIDC provider, and one role per environment that only this repository's jobs there can assume", () => {
  const provider = config.resource.aws_iam_openid_connect_provider.github[0];
  assert.equal(provider.url, "https://token.actions.githubusercontent.com");
  assert.deepEqual(provider.client_id_list, ["sts.amazonaws.com"]);
  const roles = config.locals[0].push_roles;
  assert.deepEqual(Object.fromEntries(Object.entries(roles).map(([role, { environment }]) => [role, environment])), { dev: "dev", release: "production" });
  const role = config.resource.aws_iam_role.push[0];
  assert.equal(role.for_each, "${local.push_roles}");
  assert.equal(role.assume_role_policy, "${data.aws_iam_policy_document.assume_from_github[each.key].json}");
  const trust = policies.assume_from_github[0];
  assert.equal(trust.for_each, "${local.push_roles}");
  assert.equal(trust.statement.length, 1);
  assert.deepEqual(trust.statement[0].actions, ["sts:AssumeRoleWithWebIdentity"]);
  assert.deepEqual(trust.statement[0].principals[0].identifiers, ["${aws_iam_openid_connect_provider.github.arn}"]);
  const conditions = Object.fromEntries(trust.statement[0].condition.map((c) => [c.variable, c]));
  assert.deepEqual(conditions["token.actions.githubusercontent.com:aud"].values, ["sts.amazonaws.com"]);
  assert.equal(conditions["token.actions.githubusercontent.com:sub"].test, "StringEquals", "no wildcard match on the subject");
  assert.deepEqual(conditions["token.actions.githubusercontent.com:sub"].values, ["repo:${var.github_repository}:environment:${each.value.environment}"]);
});

test("the roles may take a registry token and push to the one repository, nothing else", () => {
  const statements = policies.push[0].statement;
  const everywhere = statements.filter((statement) => statement.resources.includes("*"));
  assert.equal(everywhere.length, 1);
  assert.deepEqual(everywhere[0].actions.sort(), ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"], "only what has no resource to scope to");
  const push = statements.find((statement) => statement.sid === "PushToTheRepository");
  assert.deepEqual(push.resources, ["${aws_ecrpublic_repository.app.arn}"]);
  assert.ok(push.actions.every((action) => action.startsWith("ecr-public:") && !action.includes("*")));
  assert.ok(push.actions.includes("ecr-public:PutImage"));
  const attached = config.resource.aws_iam_role_policy.push[0];
  assert.equal(attached.for_each, "${local.push_roles}", "every push role gets it");
  assert.equal(attached.role, "${aws_iam_role.push[each.key].id}");
  assert.equal(attached.policy, "${data.aws_iam_policy_document.push.json}");
});

test("an apply never replaces the host for a newer AMI unasked", () => {
  const lifecycle = config.resource.aws_instance.host[0].lifecycle[0];
  assert.ok(lifecycle.ignore_changes.includes("${ami}"));
});

test("every variable is validated", () => {
  const unchecked = Object.entries(variables).filter(([, [variable]]) => !variable.validation).map(([name]) => name);
  assert.deepEqual(unchecked, []);
});

test("the outputs give what the repository's variables need", () => {
  for (const name of ["registry", "image_repository", "dev_role_arn", "release_role_arn"]) {
    assert.ok(config.output[name], `output ${name}`);
  }
});

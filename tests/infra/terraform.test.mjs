// Runs the real Terraform on infra/ with the real hashicorp/aws provider from the local mirror
// (tests/infra/terraform-mirror.sh finds it), offline: `fmt -check`, `validate`, and the
// `terraform test` files in infra/tests/, whose mock_provider keeps the provider's own schema and
// validators. A copy of infra/ is used so that `init` leaves nothing in the work tree.
// Run: node --test tests/infra
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const infra = path.join(here, "..", "..", "infra");
let work;
let environment;

function terraform(...args) {
  const result = spawnSync("terraform", [...args, "-no-color"], { cwd: work, env: environment, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function terraformInBackground(...args) {
  return new Promise((resolve) => {
    const child = spawn("terraform", [...args, "-no-color"], { cwd: work, env: environment });
    let output = "";
    child.stdout.on("data", (chunk) => { output += chunk; });
    child.stderr.on("data", (chunk) => { output += chunk; });
    child.on("close", (status) => resolve({ status, output }));
  });
}

before(async () => {
  const mirror = execFileSync(path.join(here, "terraform-mirror.sh"), { encoding: "utf8" }).trim();
  work = await mkdtemp(path.join(os.tmpdir(), "infra-"));
  await cp(infra, work, { recursive: true, filter: (source) => !/[\\/]\.terraform([\\/]|$)|\.terraform\.lock\.hcl$|\.tfstate/.test(source) });
  const cli = path.join(work, ".terraformrc");
  await writeFile(cli, `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`);
  environment = { ...process.env, TF_CLI_CONFIG_FILE: cli, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
  const init = terraform("init", "-backend=false", "-input=false");
  assert.equal(init.status, 0, init.output);
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test("terraform fmt finds every file formatted", () => {
  const fmt = terraform("fmt", "-check", "-recursive", "-diff");
  assert.equal(fmt.status, 0, fmt.output);
});

test("terraform validate accepts the module against the provider's schema", () => {
  const validate = terraform("validate");
  assert.equal(validate.status, 0, validate.output);
  assert.match(validate.output, /The configuration is valid/);
});

const require = createRequire(import.meta.url);
const { parse } = require("../tools/node_modules/@cdktf/hcl2json");

// Every run of every file: the first apply of a fresh account and of one that already trusts
// GitHub's OIDC, later applies that must not replace the host, and each variable's refusals. The
// files run side by side (each run starts the provider, about a second), and every run block of
// every file must have passed.
test("terraform test: plans and applies of the module with the mocked provider all pass", async () => {
  const files = (await readdir(path.join(infra, "tests"))).filter((name) => name.endsWith(".tftest.hcl")).sort();
  assert.ok(files.length >= 3, `test files: ${files}`);
  const results = await Promise.all(files.map((file) => terraformInBackground("test", `-filter=tests/${file}`)));
  for (const [index, file] of files.entries()) {
    const { status, output } = results[index];
    assert.equal(status, 0, `${file}:\n${output}`);
    const runs = Object.keys((await parse(file, await readFile(path.join(infra, "tests", file), "utf8"))).run).length;
    assert.match(output, new RegExp(`Success! ${runs} passed, 0 failed\\.`), `${file} has ${runs} runs:\n${output}`);
  }
});

// The one check the tool cannot make: that a variable added later gets a validation and a test
// of its refusal (parsed with hcl2json, a real HCL parser).
test("every variable is validated and has a refusal in infra/tests/variables.tftest.hcl", async () => {
  const variables = (await parse("variables.tf", await readFile(path.join(infra, "variables.tf"), "utf8"))).variable;
  const unchecked = Object.entries(variables).filter(([, [variable]]) => !variable.validation).map(([name]) => name);
  assert.deepEqual(unchecked, []);
  const tests = await parse("variables.tftest.hcl", await readFile(path.join(infra, "tests", "variables.tftest.hcl"), "utf8"));
  const refused = new Set(Object.values(tests.run).flatMap(([run]) => (run.expect_failures ?? []).map((failure) => failure.replace(/^\$\{var\.(.*)\}$/, "$1"))));
  assert.deepEqual(Object.keys(variables).filter((name) => !refused.has(name)), []);
});

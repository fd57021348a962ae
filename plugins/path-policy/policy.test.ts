import assert from "node:assert/strict";
import { test } from "node:test";
import { configSchema } from "./config.ts";
import { judgePath, type PathContext } from "./judge.ts";
import { locate } from "./locations.ts";
import { resolvePath } from "./resolve.ts";

const scores = configSchema.parse({}).scores;
const context = (overrides: Partial<PathContext> = {}): PathContext => ({
  intent: "read",
  roots: [],
  allowed: ["/tmp", "/var/tmp", "/dev/null"],
  scores,
  ...overrides,
});
const tags = (raw: string, overrides: Partial<PathContext> = {}) =>
  judgePath(raw, context(overrides))
    .hits.map((hit) => hit.tag)
    .sort();
const risk = (raw: string, overrides: Partial<PathContext> = {}) =>
  judgePath(raw, context(overrides)).hits.reduce((sum, hit) => sum + hit.score, 0);

test("paths resolve lexically: ~, $HOME, .., relative, file: URLs, backslashes, NUL", () => {
  assert.equal(resolvePath("~/.ssh/../.ssh/./id_rsa", {}).path, "~/.ssh/id_rsa");
  assert.equal(resolvePath("$HOME/.aws/credentials", { home: "/home/ann" }).path, "/home/ann/.aws/credentials");
  assert.equal(resolvePath("${HOME}/.bashrc", {}).path, "~/.bashrc");
  assert.equal(resolvePath("~root/.ssh/authorized_keys", {}).path, "/root/.ssh/authorized_keys");
  assert.equal(resolvePath("~bob/notes", {}).path, "/home/bob/notes");
  assert.equal(resolvePath("notes/../../../../etc/shadow", { workspace: "/srv/ws" }).path, "/etc/shadow");
  assert.equal(resolvePath("src/app.ts", { workspace: "/srv/ws/" }).path, "/srv/ws/src/app.ts");
  assert.equal(resolvePath("file:///etc/passwd", {}).path, "/etc/passwd");
  assert.equal(resolvePath("file://localhost/etc/cron.d/x", {}).path, "/etc/cron.d/x");
  assert.equal(resolvePath("file:/etc/%73hadow", {}).path, "/etc/shadow");
  assert.equal(resolvePath("..\\..\\.ssh\\id_rsa", {}).path, "../../.ssh/id_rsa");
  assert.equal(resolvePath("/etc/sha\0dow", {}).path, "/etc/shadow");
  assert.equal(resolvePath("/../../etc//passwd", {}).path, "/etc/passwd");
  const escaped = resolvePath("../../outside.txt", {});
  assert.equal(escaped.escapes, true);
});

test("locations: secrets, persistence and system, whatever the spelling or case", () => {
  const categories = (path: string) =>
    locate(path, undefined)
      .map((location) => location.category)
      .sort();
  assert.deepEqual(categories("~/.ssh/id_ed25519"), ["secret"]);
  assert.deepEqual(categories("/home/ann/.ssh/authorized_keys"), ["persistence", "secret"]);
  assert.deepEqual(categories("/Users/ann/.SSH/ID_RSA"), ["secret"]);
  assert.deepEqual(categories("/srv/app/.env"), ["secret"]);
  assert.deepEqual(categories("/srv/app/.env.production"), ["secret"]);
  assert.deepEqual(categories("/srv/app/.env.example"), []);
  assert.deepEqual(categories("~/.aws/credentials"), ["secret"]);
  assert.deepEqual(categories("~/.config/gcloud/application_default_credentials.json"), ["secret"]);
  assert.deepEqual(categories("/etc/shadow"), ["persistence", "secret", "system"]);
  assert.deepEqual(categories("/proc/1/environ"), ["secret", "system"]);
  assert.deepEqual(categories("/var/run/secrets/kubernetes.io/serviceaccount/token"), ["secret", "system"]);
  assert.deepEqual(categories("/etc/sudoers.d/90-agent"), ["persistence", "system"]);
  assert.deepEqual(categories("/etc/cron.daily/backup"), ["persistence", "system"]);
  assert.deepEqual(categories("/var/spool/cron/crontabs/root"), ["persistence", "system"]);
  assert.deepEqual(categories("/etc/ld.so.preload"), ["persistence", "system"]);
  assert.deepEqual(categories("/usr/lib/systemd/system/evil.service"), ["persistence", "system"]);
  assert.deepEqual(categories("~/.config/systemd/user/evil.service"), ["persistence"]);
  assert.deepEqual(categories("~/.bashrc"), ["persistence"]);
  assert.deepEqual(categories("/srv/repo/.git/hooks/pre-commit"), ["persistence"]);
  assert.deepEqual(categories("~/.openclaw/openclaw.json"), ["persistence"]);
  assert.deepEqual(categories("/srv/talon/talon.toml"), ["persistence"]);
  assert.deepEqual(categories("/usr/bin/git"), ["system"]);
  assert.deepEqual(categories("/srv/repo/src/bashrc.ts"), []);
  assert.deepEqual(categories("/srv/repo/docs/ssh-setup.md"), []);
});

test("write is worse than read, and scores follow the config", () => {
  assert.ok(risk("~/.ssh/authorized_keys", { intent: "write" }) > risk("~/.ssh/authorized_keys", { intent: "read" }));
  assert.ok(risk("/etc/cron.d/job", { intent: "write" }) >= 65, "writing a cron job blocks");
  assert.equal(risk("/etc/cron.d/job", { intent: "read" }), 0, "reading it is ordinary");
  assert.ok(risk("~/.ssh/id_rsa", { intent: "read" }) >= 65, "reading a private key blocks");
  assert.equal(risk("/usr/include/stdio.h", { intent: "read" }), 0);
  assert.ok(risk("/usr/local/bin/tool", { intent: "write" }) >= 65);
});

test("the workspace: relative paths resolve inside it; outside is a finding, temp folders are fine", () => {
  const inside = { workspace: "/srv/ws", roots: ["/srv/ws"] };
  assert.deepEqual(tags("src/app.ts", { ...inside, intent: "write" }), []);
  assert.deepEqual(tags("../other/app.ts", { ...inside, intent: "write" }), ["path_outside_workspace"]);
  assert.deepEqual(tags("/tmp/build.log", { ...inside, intent: "write" }), []);
  assert.deepEqual(tags("~/notes.txt", { ...inside, intent: "read" }), ["path_outside_workspace"]);
  assert.ok(risk("/opt/app/config.yml", { ...inside, intent: "write" }) >= 35, "writing outside needs review");
  assert.ok(risk("/opt/app/config.yml", { ...inside, intent: "read" }) < 35, "reading outside is only noted");
  assert.deepEqual(tags("../../x", {}), ["path_escape"], "no workspace known: climbing out of the base is itself a finding");
  assert.deepEqual(tags("/srv/ws/../ws-evil/x", { ...inside, intent: "write" }), ["path_outside_workspace"]);
});

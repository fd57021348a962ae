/**
 * Disguised reads and writes (issue 10, GTFOBins' file-read and file-write shapes that have no
 * everyday purpose), written for this test in this project's own words: a file's content moved
 * through programs set up to change nothing must at least reach review; the same programs doing
 * their work stay allowed with no finding. Plain reads and writes of ordinary files are not
 * findings at all (they cannot be told apart from everyday work); secrets are judged by path.
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

function expectClean(commands: readonly string[]): void {
  const flagged = commands
    .map((command) => ({ command, findings: judge(command) }))
    .filter(({ findings }) => findings.length > 0)
    .map(({ command, findings }) => `${command} -> ${findings.map((finding) => finding.reasons[0]).join(" | ")}`);
  assert.deepEqual(flagged, []);
}

test("round trips, local URLs, history loads and transforms that change nothing", () => {
  const commands = [
    "base32 ledger.db | base32 -d",
    'N=ledger.db\nbasenc --base64url "$N" | basenc -d --base64url',
    "xxd -p notes.txt | xxd -r -p",
    "bzip2 -c notes.txt | bzip2 -d",
    "xz -c notes.txt | xzcat",
    "zstd -c notes.txt | zstd -d",
    "rev notes.txt | rev",
    "wget -qO- file:///srv/app/settings.yml",
    "lwp-request file:///srv/app/settings.yml",
    "history -r notes.txt; history",
    "history -c\nhistory -w notes.txt",
    "iconv -f UTF-8 -t utf-8 notes.txt",
    "echo hello | iconv -f ascii -t ASCII -o out.txt",
    "openssl enc -in notes.txt -out copy.txt",
    "fmt -w 123456 notes.txt",
    "unexpand -t 9999999 notes.txt",
    "nl -b n notes.txt",
    "comm /dev/null notes.txt",
    "join -a 1 notes.txt /dev/null",
    "cp notes.txt /proc/self/fd/1",
    "printf 'k=v\\n' | install /dev/stdin app.conf",
  ];
  const missed = commands.filter((command) => !stops(command));
  assert.deepEqual(missed, [], `${missed.length} of ${commands.length} missed`);
});

test("the same programs doing their work stay allowed", () => {
  expectClean([
    "base64 logo.png > logo.b64",
    "base64 -d logo.b64 > logo.png",
    "echo aGVsbG8= | base64 -d",
    "echo hello | base64 | base64 -d",
    "xxd firmware.bin | head",
    "gzip -c access.log > access.log.gz",
    "zcat access.log.gz | grep 404",
    "tar czf - src | ssh backup.example.com 'cat > src.tgz'",
    "curl -fsS https://example.com/health",
    "history | tail -20",
    "history -w",
    "history -a",
    "iconv -f latin1 -t utf-8 old.txt > new.txt",
    "openssl enc -aes-256-cbc -pbkdf2 -in secret.txt -out secret.enc",
    "openssl enc -base64 -in logo.png",
    "fold -w 80 long.txt",
    "fmt -w 72 README",
    "expand -t 4 main.c",
    "nl -ba main.c",
    "cut -d, -f2 data.csv",
    "comm -12 a.txt b.txt",
    "join -t, left.csv right.csv",
    "diff -u /dev/null new.c",
    "diff old.c new.c",
    "rev <<< abc",
    "cp /dev/null empty.log",
    "install -m 755 tool /usr/local/bin/tool",
    "dd if=disk.img bs=4M | gzip > disk.img.gz",
  ]);
});

test("list files and piece names reach sensitive paths; inspectors' flags do not", () => {
  const commands = [
    "file -f /etc/shadow",
    'K=/etc/gshadow\nfile -m "$K"',
    "du --files0-from=/etc/shadow",
    "printf 'x\\n' > part\ncsplit -z -b '%d/root/.ssh/authorized_keys' part 1",
  ];
  const missed = commands.filter((command) => !stops(command));
  assert.deepEqual(missed, [], `${missed.length} of ${commands.length} missed`);
  expectClean([
    "test -f ~/.ssh/id_rsa && echo present",
    "[ -f /etc/shadow ] || echo missing",
    "ls -f /etc",
    "split -l 1000 -d big.csv part_",
  ]);
});

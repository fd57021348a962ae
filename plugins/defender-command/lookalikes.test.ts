/**
 * Benign commands that look like the attack families (same programs, same paths, same flags,
 * written for this test): they must stay allowed with no finding at all, so the model stays
 * usable for everyday work. A change of user alone is not a finding.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { analyzeCommand } from "./analyze.ts";
import { buildSettings, configSchema, type CommandSettings } from "./config.ts";
import { toFindings } from "./findings.ts";
import { loadShellParser, type ShellParser } from "./parser.ts";

let parser: ShellParser;
let settings: CommandSettings;
before(async () => {
  parser = await loadShellParser();
  settings = buildSettings("defender-command", configSchema.parse({}));
});

function expectClean(commands: readonly string[]): void {
  const flagged = commands
    .map((command) => ({
      command,
      findings: toFindings(analyzeCommand(parser, command, settings.analyzer).hits, "/command", settings.findings),
    }))
    .filter(({ findings }) => findings.length > 0)
    .map(({ command, findings }) => `${command} -> ${findings.map((finding) => finding.reasons[0]).join(" | ")}`);
  assert.deepEqual(flagged, []);
}

test("the look-alikes named in issue 10 stay allowed", () => {
  expectClean([
    "git push origin main",
    "crontab -l",
    "systemctl status nginx",
    "cat README.md",
    "sudo apt update",
    "python -c 'print(1)'",
    "curl -fsSL https://example.com -o file",
    "tar xzf x.tgz",
    "ssh host uptime",
  ]);
});

test("everyday commands run through sudo, doas or su are judged by the inner command", () => {
  expectClean([
    "sudo apt install -y htop",
    "sudo systemctl restart nginx",
    "sudo -u postgres psql -c 'select 1'",
    "sudo tail -f /var/log/syslog",
    "sudo chown -R www-data:www-data /var/www/html",
    "sudo docker ps",
    "sudo tcpdump -i eth0 port 80",
    "sudo mount /dev/sdb1 /mnt/usb",
    "sudo ufw allow 22/tcp",
    "doas rc-service nginx reload",
    "sudo -l",
    "su -c 'systemctl status app' deploy",
  ]);
});

test("keys and credentials used for their purpose, not read out", () => {
  expectClean([
    "ssh -i ~/.ssh/id_ed25519 deploy@app.example.com uptime",
    "ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519 -N ''",
    "ssh-add ~/.ssh/id_rsa",
    "chmod 600 ~/.ssh/id_rsa",
    "ls -la ~/.ssh",
    "cat ~/.ssh/id_rsa.pub",
    "scp -i ~/.ssh/deploy_key build.tar.gz deploy@app.example.com:/srv/",
    "cp .env.example .env",
    "cat .env.example",
    "openssl rsa -in server.key -pubout -out server.pub",
    "git clone git@github.com:acme/app.git",
    "cat ~/.ssh/known_hosts",
  ]);
});

test("network, uploads and listeners of ordinary work", () => {
  expectClean([
    "curl -X POST -H 'Content-Type: application/json' -d '{\"name\":\"a\"}' https://api.example.com/items",
    "curl -F 'file=@report.pdf' https://uploads.example.com/",
    "rsync -av dist/ deploy@app.example.com:/var/www/html/",
    "wget --continue https://example.com/big.iso",
    "ssh -L 5432:localhost:5432 bastion.example.com -N",
    "git push --prune origin",
    "git push origin --delete old-feature",
    "git push -u origin feature/login",
    "python3 -m http.server 8000",
  ]);
});

test("shells, interpreters and editors used normally", () => {
  expectClean([
    "docker exec -it web bash",
    "kubectl exec -it api-0 -- sh",
    "find . -name '*.sh' -exec bash -n {} \\;",
    "find . -type f -name '*.log' -delete",
    "ls *.txt | xargs wc -l",
    "git ls-files '*.py' | xargs -n 50 python -m pyflakes",
    "bash scripts/build.sh",
    "sh -c 'npm ci && npm test'",
    "node -e \"console.log(require('os').cpus().length)\"",
    "perl -pi -e 's/foo/bar/g' config.ini",
    "awk '!seen[$0]++' names.txt",
    "awk -F: '{ print $1 }' /etc/passwd",
    "sed -i 's/DEBUG=1/DEBUG=0/' .env.example",
    "vim notes.md",
    "less README.md",
    "man 5 crontab",
    "tmux new -s dev",
    "gdb ./a.out",
    "pip install -r requirements.txt",
    "make install PREFIX=$HOME/.local",
    "echo 'export PATH=$HOME/bin:$PATH' >> ~/.bashrc",
    "source ~/.bashrc",
    "git config --global core.editor vim",
    "EDITOR=vim git commit",
    "PAGER=cat git log -5",
  ]);
});

test("history, logs, services and cleanup of ordinary work", () => {
  expectClean([
    "history | grep deploy",
    "journalctl -u nginx --since today",
    "tail -n 50 /var/log/nginx/error.log",
    "systemctl restart nginx",
    "systemctl stop nginx",
    "kill -9 12345",
    "pkill -f 'node server.js'",
    "rm -rf ./build /tmp/cache",
    "find /tmp -name '*.tmp' -mtime +7 -delete",
    "chmod -R 755 ./public",
    "at -l",
    "env | grep PATH",
    "printenv HOME",
  ]);
});

/**
 * What programs can do: a table of capabilities for the programs an agent's shell may reach,
 * covering the programs of GTFOBins' public index (https://gtfobins.github.io) plus everyday tools.
 * It is this project's own reading of what each program is able to do (spawn a shell, run inline
 * code, open sockets, read or write files, load libraries, run package hooks), written as data:
 * one line per capability, the programs that have it. The classifiers combine a program's
 * capabilities with the shape of its arguments; a program missing from the table is judged by
 * argument shape alone (a shell path in an argument, a URL, a secret path), which is what lets
 * the model judge programs it has never seen.
 */

/** One capability bit. */
export const CAP = {
  /** A command shell: runs `-c SCRIPT`, a script file, or its stdin. */
  shell: 1 << 0,
  /** A language interpreter: inline code (see INLINE_CODE) or a program on stdin. */
  code: 1 << 1,
  /** Runs the command given in its arguments (`taskset 1 CMD`, `valgrind CMD`). */
  launch: 1 << 2,
  /** Interactive: later lines of the script are typed into it, and it offers a shell escape. */
  interactive: 1 << 3,
  /** Opens outbound network connections. */
  connect: 1 << 4,
  /** Can listen for inbound connections. */
  listen: 1 << 5,
  /** Sends local files or data to a remote host. */
  upload: 1 << 6,
  /** Fetches remote files. */
  download: 1 << 7,
  /** A raw socket: stdin goes to the peer as-is, the peer's bytes come back. */
  raw: 1 << 8,
  /** Loads shared libraries or plugins named in its options. */
  library: 1 << 9,
  /** Runs hooks of a package, build file or playbook (setup.py, package.json, Makefile …). */
  hooks: 1 << 10,
  /** Only inspects the paths it is given (metadata, existence, type), never their content. */
  inspect: 1 << 11,
  /** Prints or transforms the content of the files it is given. */
  reader: 1 << 12,
  /** Changes permissions, ownership or attributes. */
  perm: 1 << 13,
  /** Configures accounts (its shell arguments are settings, not commands). */
  account: 1 << 14,
  /** Runs commands inside a container, VM or remote host (a shell there is ordinary). */
  remote: 1 << 15,
  /** Edits the files it is given (reads and writes them). */
  editor: 1 << 16,
  /** Runs the next command as another user (sudo and friends). */
  privilege: 1 << 17,
  /** Decodes or unescapes data (base64 -d, xxd -r …). */
  decode: 1 << 18,
  /** Copies or archives files and folders. */
  archive: 1 << 19,
  /** A security or monitoring agent (stopping or killing it hides activity). */
  agent: 1 << 20,
  /** Can be made to disclose a file named in its options or arguments (a list, config or input it loads). */
  fileread: 1 << 21,
  /** Can be made to write a file named in its options (an output, log, dump or link it creates). */
  filewrite: 1 << 22,
  /** Runs commands named in its options, hooks, plugins or environment (hooks.ts reads those options). */
  exec: 1 << 23,
} as const;

/** A capability name. */
export type CapName = keyof typeof CAP;

// One line per capability; programs by their normalised name (names.ts). Comments say why a
// program is where it is when that is not obvious.
const TABLE = `
shell: sh bash dash zsh ksh mksh ash yash csh tcsh fish elvish rc sash posh rbash pwsh powershell nu xonsh ginsh ksshell
code: python pypy perl ruby jruby node nodejs bun deno php lua luajit tclsh wish expect jjs jrunscript julia octave octave-cli r rscript guile awk gawk mawk nawk bpftrace dc bc slsh osascript groovy scala clisp sbcl ghc ghci runghc irb pry byebug erl elixir racket sqlite3 gdb lldb pdb knife puppet rake dotnet gimp
launch: env nice ionice nohup time timeout stdbuf unbuffer setsid chrt taskset numactl cgexec firejail torsocks torify proxychains proxychains4 tsocks strace ltrace valgrind perf multitime hyperfine rlwrap catchsegv faketime softlimit aoss padsp optirun primusrun vglrun xvfb-run choom cpulimit start-stop-daemon sshpass grc tmate chroot unshare nsenter setarch capsh sg newgrp flock setlock watch xargs parallel script logsave pexec run-parts xdotool runcon ld.so systemd-run dbus-launch flatpak-spawn task cabal yarn npm npx bundle bundler genie aa-exec ssh-agent
interactive: vipw vigr visudo less more most pg man vi vim rvim view rview vimdiff nvim ex ed red nano pico joe emacs mg ftp sftp psftp lftp ncftp tftp smbclient telnet mail mailx mutt alpine minicom gdb lldb mysql psql sqlite3 bconsole cpan crash debugfs iftop top htop ispell aspell hping3 nmap ncdu tdbtool ginsh tclsh wish irb pry byebug ghci msfconsole jtag tasksh w3m links lynx elinks zathura run-mailcap pdb screen tmux volatility dosbox scanmem
connect: nc ncat netcat socat telnet openssl curl wget aria2c axel ftp tftp sftp psftp scp rsync ssh sshpass smbclient lftp ncftp mail mailx sendmail mutt lp cancel restic rclone whois finger dig nslookup host drill ping traceroute mtr hping3 nmap fping ntpdate lwp-download lwp-request http https xh git svn hg kubectl gcloud aws az gsutil docker podman vagrant check_by_ssh distcc sqlmap ab irssi weechat links lynx w3m elinks yum dnf zypper apt apt-get pip npm gem socket lpr ab
listen: nc ncat netcat socat openssl php ruby python busybox ssh kubectl gawk httpd
upload: curl wget scp rsync sftp psftp ftp tftp smbclient lftp ncftp nc ncat netcat socat openssl telnet restic rclone lp cancel mail mailx sendmail mutt aws gsutil gcloud az whois socket lpr ab hping3 rclone
download: curl wget aria2c axel scp rsync sftp ftp tftp smbclient lftp ncftp lwp-download lwp-request openssl nc ncat netcat socat yum dnf rpm pip git http https xh
raw: nc ncat netcat socat telnet openssl socket ztcp
library: ldconfig ld.so ssh-keygen openssl gdb bash
hooks: pip pip3 easy_install gem bundle bundler composer npm yarn cabal cargo make cmake gcc cc c89 c99 ansible-playbook ansible-test cdist puppet dpkg rpm yum dnf apt apt-get snap opkg pkg zypper vagrant terraform bbot autoconf autoreconf autoheader latexmk
inspect: ls stat file test [ [[ which whereis type command realpath readlink basename dirname du df md5sum sha1sum sha224sum sha256sum sha384sum sha512sum b2sum cksum touch mkdir rmdir lsattr getfacl namei tree exa eza find fd locate ldd
reader: cat tac nl head tail less more most pg bat batcat strings xxd od hd hexdump base32 base64 basenc basez ascii85 base58 grep egrep fgrep rg ag ack awk gawk mawk nawk sed cut sort uniq comm diff cmp join paste column fold fmt expand unexpand pr ptx tbl soelim zsoelim nroff troff eqn pic iconv rev shuf split csplit wc look jq yq csvtool highlight uuencode uudecode ul dos2unix unix2dos vipe sponge redcarpet wall atobm msgattrib msgcat msgconv msgfilter msgmerge msguniq msgcomm msggrep msgen tic xmodmap genisoimage cupsfilter efax ascii-xfr eqn
perm: chmod chown chgrp chattr setfacl setcap chcon
account: chsh usermod useradd adduser passwd chfn vipw vigr
remote: docker podman nerdctl kubectl oc lxc lxd pct qm machinectl systemd-nspawn vagrant ssh mosh schroot arch-nspawn incus virsh
editor: vi vim rvim view rview vimdiff nvim ex ed red nano pico joe emacs mg code gedit kate micro helix hx sudoedit
privilege: sudo doas pkexec su run0 runuser ksu sudoedit setpriv
decode: base64 base32 basenc basez base58 ascii85 xxd uudecode openssl rev tr gzip gunzip zcat bzip2 xz unxz zstd
archive: cp mv install ln rsync scp tar zip 7z ar arj cpio gzip bzip2 xz zstd rar unzip dd split unsquashfs
fileread: arp dig fping ss file nm as readelf objdump nasm mosquitto openvpn check_cups check_memory check_raid check_log check_statusfile espeak xpad ntpdate mtr wget curl hping3 ab dmesg clamscan nft ssh-keyscan alpine dialog whiptail xmore apache2ctl apache2 ksshell bc lwp-request lwp-download links w3m yelp run-mailcap terraform puppet restic sqlite3 exiftool gcc cc c89 c99 tar zip 7z ar arj cpio openssl iconv gzip bzip2 xz zstd busybox latex pdflatex xelatex lualatex luatex tex pdftex xetex dvips enscript bridge date gcore pandoc
filewrite: exiftool update-alternatives dmidecode varnishncsa nmap check_log iconv pandoc openssl shuf tee dd cp mv install ln rsync scp cpio csplit split xxd dos2unix unix2dos rlwrap wget curl lwp-download tftp sftp smbclient dosbox ed red busybox gcc cc c89 c99 sed awk gawk mawk nawk tar zip unzip 7z arj ar sponge find gdb
exec: aria2c tcpdump pidstat wget scp rsync tar cpio zip git ssh check_by_ssh check_ssl_cert certbot openvpn dmsetup scrot xdotool split enscript mail gcc cc c89 c99 make apt apt-get nmap cowsay cowthink neofetch sqlmap csvtool gem systemctl journalctl crash man sysctl mount openvt agetty service run-parts dvips rpm rpmdb rpmquery rpmverify tshark facter nroff groff zypper msgexec msgfilter xdg-user-dir virsh at crontab dstat gtester runscript cobc latex pdflatex xelatex lualatex luatex tex pdftex xetex perlbug pic yum dnf ip busctl eb loginctl systemd-resolve timedatectl rtorrent wireshark pandoc
agent: auditd auditctl falco falcon-sensor falcond crowdstrike osqueryd osqueryi wazuh-agent wazuh-agentd ossec ossec-agentd sysmon sysmonforlinux elastic-agent elastic-endpoint filebeat auditbeat packetbeat winlogbeat splunkd splunk splunkforwarder datadog-agent sentinelone sentinelagent cbagentd cbdaemon mdatp wdavdaemon sophos-spl eset esets cylancesvc tetragon tracee sysdig apparmor selinux aide rkhunter chkrootkit clamd clamav-daemon freshclam fail2ban fail2ban-server sshguard suricata snort zeek ossec-hids velociraptor qualys-cloud-agent nessusd rsyslog rsyslogd syslog-ng journald systemd-journald
`;

const CAPABILITIES: ReadonlyMap<string, number> = (() => {
  const table = new Map<string, number>();
  for (const line of TABLE.split("\n")) {
    const colon = line.indexOf(":");
    if (colon === -1) continue;
    const bit = CAP[line.slice(0, colon).trim() as CapName];
    for (const name of line
      .slice(colon + 1)
      .trim()
      .split(/\s+/))
      table.set(name, (table.get(name) ?? 0) | bit);
  }
  return table;
})();

/** The capability bits of a program (0 for one the table does not know). */
export function capabilitiesOf(name: string): number {
  return CAPABILITIES.get(name) ?? 0;
}

/** Does the program have this capability? */
export function can(name: string, capability: CapName): boolean {
  return ((CAPABILITIES.get(name) ?? 0) & CAP[capability]) !== 0;
}

/** Is the program in the table at all? */
export function isKnownProgram(name: string): boolean {
  return CAPABILITIES.has(name);
}

/** Every program the table names (for tests and documentation). */
export function knownPrograms(): string[] {
  return [...CAPABILITIES.keys()].sort();
}

/**
 * Options that take inline code, per interpreter. `true` marks an interpreter whose first
 * positional argument is itself the program (awk's `'BEGIN{…}'`, bpftrace's script, dc's `-e`).
 */
export const INLINE_CODE: Readonly<Record<string, readonly string[] | true>> = {
  python: ["-c"],
  pypy: ["-c"],
  perl: ["-e", "-E"],
  ruby: ["-e"],
  jruby: ["-e"],
  node: ["-e", "--eval", "-p", "--print"],
  nodejs: ["-e", "--eval", "-p", "--print"],
  bun: ["-e", "--eval", "-p", "--print"],
  deno: ["eval"],
  php: ["-r", "-R", "-B", "-E"],
  lua: ["-e"],
  luajit: ["-e"],
  expect: ["-c"],
  jrunscript: ["-e"],
  julia: ["-e", "--eval", "-E", "--print"],
  octave: ["--eval"],
  "octave-cli": ["--eval"],
  r: ["-e"],
  rscript: ["-e"],
  guile: ["-c"],
  slsh: ["-e"],
  osascript: ["-e"],
  groovy: ["-e"],
  clisp: ["-x"],
  sbcl: ["--eval"],
  ghc: ["-e"],
  ghci: ["-e"],
  erl: ["-eval"],
  elixir: ["-e"],
  racket: ["-e"],
  pwsh: ["-c", "-command", "-encodedcommand", "-ec", "-e"],
  powershell: ["-c", "-command", "-encodedcommand", "-ec", "-e"],
  bpftrace: ["-e"],
  dc: ["-e", "--expression"],
  gdb: ["-ex", "--eval-command", "-iex"],
  lldb: ["-o", "--one-line"],
  knife: ["-E"],
  puppet: ["-e", "--execute"],
  rake: ["-e", "-p", "-E"],
  emacs: ["--eval"],
  vi: ["-c", "--cmd"],
  vim: ["-c", "--cmd"],
  rvim: ["-c", "--cmd"],
  view: ["-c", "--cmd"],
  rview: ["-c", "--cmd"],
  vimdiff: ["-c", "--cmd"],
  nvim: ["-c", "--cmd"],
  ex: ["-c", "--cmd"],
  mysql: ["-e", "--execute"],
  psql: ["-c", "--command"],
  sqlite3: ["-cmd"],
  latexmk: ["-e"],
  awk: true,
  gawk: true,
  mawk: true,
  nawk: true,
};

/** The inline-code options of a program (own keys only: `constructor` is not an interpreter). */
export function inlineFlagsOf(name: string): readonly string[] | true | undefined {
  return Object.hasOwn(INLINE_CODE, name) ? INLINE_CODE[name] : undefined;
}

/** Options of an interpreter that take their value in the next word without being code (`perl -I DIR -e …`). */
export const VALUED_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  awk: ["-F", "-v", "-f"],
  gawk: ["-F", "-v", "-f", "-i", "-l"],
  mawk: ["-F", "-v", "-f"],
  nawk: ["-F", "-v", "-f"],
  python: ["-m", "-W", "-X", "-Q"],
  perl: ["-I", "-M", "-m"],
  ruby: ["-I", "-r"],
  node: ["-r", "--require", "--import", "--loader"],
};

/** The valued options of an interpreter. */
export function valuedOptionsOf(name: string): readonly string[] {
  return Object.hasOwn(VALUED_OPTIONS, name) ? VALUED_OPTIONS[name]! : [];
}

/**
 * The launchers wrappers.ts unwraps: programs that run the command after their own options
 * (`sudo`, `doas`, `run0`, `runuser`, `su`, `env`, `nice`, `timeout` …), with what each needs
 * to be read correctly: which options take a value, which positional words come first, whether
 * it changes user, which option holds a command string, and when it opens a shell itself.
 */

/** How to read one launcher. */
export interface WrapperSpec {
  /** Options that take a value in the next word. */
  readonly valued?: readonly string[];
  /** Positional words before the command (timeout's duration, chroot's folder, runuser's user with -u). */
  readonly skip?: number;
  /** Skips `NAME=value` words (env, sudo). */
  readonly assignments?: boolean;
  /** Options after which there is no command (`sudo -l`, `command -v`). */
  readonly queries?: readonly string[];
  /** The launcher changes user. */
  readonly privileged?: boolean;
  /** Options whose value is a command string run by a shell (`su -c`, `runuser -c`). */
  readonly commandOptions?: readonly string[];
  /** Options whose value is split into words and run (`env -S`). */
  readonly splitOptions?: readonly string[];
  /** Options that make the launcher open a shell itself (`sudo -i`, `sudo -s`). */
  readonly shellOptions?: readonly string[];
  /** With no command after it, the launcher opens an interactive shell (`su`, `run0`, `chroot DIR`). */
  readonly shellWhenBare?: boolean;
  /** A user name may come first, as for `su USER` (not after `-u USER`). */
  readonly userSlot?: boolean;
}

const SUDO_VALUED = [
  "-u",
  "-g",
  "-p",
  "-C",
  "-h",
  "-D",
  "-r",
  "-t",
  "-U",
  "-T",
  "--user",
  "--group",
  "--prompt",
  "--chdir",
  "--role",
  "--type",
  "--host",
  "--close-from",
  "--other-user",
  "--command-timeout",
];

const SPECS: Readonly<Record<string, WrapperSpec>> = {
  sudo: {
    valued: SUDO_VALUED,
    assignments: true,
    privileged: true,
    shellOptions: ["-i", "-s", "--login", "--shell"],
    queries: [
      "-l",
      "--list",
      "-v",
      "--validate",
      "-V",
      "--version",
      "--help",
      "-k",
      "-K",
      "--reset-timestamp",
      "--remove-timestamp",
      "-e",
      "--edit",
    ],
  },
  doas: { valued: ["-u", "-C"], privileged: true, shellOptions: ["-s"] },
  pkexec: { valued: ["--user", "-u"], privileged: true, shellWhenBare: true },
  run0: {
    valued: ["-u", "--user", "-g", "--group", "--unit", "--property", "-D", "--chdir", "--setenv", "--nice", "--slice", "--description"],
    privileged: true,
    shellWhenBare: true,
  },
  runuser: {
    valued: ["-u", "-g", "-G", "--user", "--group", "--supp-group", "-s", "--shell", "-w", "--whitelist-environment"],
    privileged: true,
    commandOptions: ["-c", "--command"],
    shellWhenBare: true,
    userSlot: true,
  },
  su: {
    valued: ["-s", "--shell", "-g", "--group", "-G", "--supp-group", "-w", "--whitelist-environment"],
    privileged: true,
    commandOptions: ["-c", "--command", "--session-command"],
    shellWhenBare: true,
    userSlot: true,
  },
  ksu: { valued: ["-n", "-c", "-C", "-k", "-z", "-Z"], privileged: true, commandOptions: ["-e"], shellWhenBare: true, userSlot: true },
  setpriv: {
    valued: [
      "--reuid",
      "--regid",
      "--ruid",
      "--rgid",
      "--euid",
      "--egid",
      "--groups",
      "--inh-caps",
      "--ambient-caps",
      "--bounding-set",
      "--securebits",
      "--selinux-label",
      "--apparmor-profile",
    ],
    privileged: true,
  },
  sg: { privileged: true, commandOptions: ["-c"], skip: 1, shellWhenBare: true },
  newgrp: { privileged: true, skip: 1, shellWhenBare: true },
  env: { valued: ["-u", "-C", "--unset", "--chdir", "-P"], assignments: true, splitOptions: ["-S", "--split-string"] },
  nice: { valued: ["-n", "--adjustment"] },
  ionice: { valued: ["-c", "-n", "-p", "-P", "-u", "--class", "--classdata"] },
  nohup: {},
  time: { valued: ["-f", "-o", "--format", "--output"] },
  command: { queries: ["-v", "-V"] },
  builtin: {},
  exec: { valued: ["-a"] },
  timeout: { valued: ["-s", "-k", "--signal", "--kill-after"], skip: 1 },
  gtimeout: { valued: ["-s", "-k", "--signal", "--kill-after"], skip: 1 },
  stdbuf: { valued: ["-i", "-o", "-e"] },
  chroot: { valued: ["--userspec", "--groups"], skip: 1, shellWhenBare: true },
  flock: { valued: ["-w", "-E", "--timeout", "--conflict-exit-code"], skip: 1, commandOptions: ["-c", "--command"] },
  unbuffer: {},
  torsocks: {},
  torify: {},
  proxychains: { valued: ["-f"] },
  proxychains4: { valued: ["-f"] },
  tsocks: {},
  caffeinate: { valued: ["-t", "-w"] },
  strace: { valued: ["-e", "-o", "-p", "-s", "-u", "-a", "-P", "-X", "-b"] },
  ltrace: { valued: ["-e", "-o", "-p", "-s", "-u", "-a", "-n", "-F", "-L"] },
  valgrind: {},
  busybox: {},
  catchsegv: {},
  setsid: {},
  chrt: { skip: 1 },
  taskset: { skip: 1, valued: ["-p"] },
  numactl: { valued: ["-C", "-N", "-m", "-i", "-p", "--cpunodebind", "--membind", "--interleave", "--physcpubind", "--preferred"] },
  faketime: { skip: 1 },
  choom: { valued: ["-n", "-p", "--adjust", "--pid"] },
  cpulimit: { valued: ["-l", "--limit", "-p", "--pid", "-e", "--exe"] },
  softlimit: { valued: ["-a", "-c", "-d", "-f", "-l", "-m", "-o", "-p", "-r", "-s", "-t"] },
  multitime: { valued: ["-n", "-s", "-i", "-o"] },
  unshare: {
    valued: ["--propagation", "--setgroups", "--map-user", "--map-group", "-S", "--setuid", "-G", "--setgid", "--wd", "-R", "--root"],
    shellWhenBare: true,
  },
  nsenter: { valued: ["-t", "--target", "-S", "--setuid", "-G", "--setgid", "-r", "-w", "--wd"], shellWhenBare: true },
  setarch: { skip: 1 },
  firejail: {},
  aoss: {},
  padsp: {},
  optirun: {},
  primusrun: {},
  vglrun: {},
  "xvfb-run": { valued: ["-n", "-s", "-f", "-e", "-p", "-w"] },
  "dbus-launch": {},
  rlwrap: {
    valued: [
      "-a",
      "-b",
      "-C",
      "-D",
      "-e",
      "-f",
      "-F",
      "-g",
      "-H",
      "-l",
      "-L",
      "-M",
      "-n",
      "-O",
      "-p",
      "-P",
      "-q",
      "-s",
      "-S",
      "-t",
      "-w",
      "-z",
    ],
  },
  perf: { skip: 1, valued: ["-e", "-o", "-p", "-r", "-C", "-x"] },
  "systemd-run": {
    valued: [
      "-u",
      "--unit",
      "-p",
      "--property",
      "--description",
      "--slice",
      "-E",
      "--setenv",
      "-M",
      "--machine",
      "--uid",
      "--gid",
      "--nice",
      "-D",
      "--working-directory",
      "--on-calendar",
      "--on-active",
    ],
  },
  "flatpak-spawn": { valued: ["--env", "--directory", "--forward-fd"] },
  sshpass: { valued: ["-p", "-f", "-d", "-P"] },
  grc: { valued: ["-c", "--config", "--colour"] },
  "start-stop-daemon": {
    valued: [
      "-n",
      "--name",
      "-u",
      "--user",
      "-g",
      "--group",
      "-p",
      "--pidfile",
      "-c",
      "--chuid",
      "-r",
      "--chroot",
      "-d",
      "--chdir",
      "-N",
      "--nicelevel",
      "-k",
      "--umask",
    ],
  },
  "ld.so": { valued: ["--library-path", "--preload", "--audit", "--argv0"] },
  runcon: { valued: ["-u", "-r", "-t", "-l"], skip: 1 },
};

/** Launchers by name (a Map: a command called `constructor` or `__proto__` is not a launcher). */
export const WRAPPERS: ReadonlyMap<string, WrapperSpec> = new Map(Object.entries(SPECS));

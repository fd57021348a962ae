/**
 * What a resolved path is: a secret (keys, credentials, password hashes, process secrets), a
 * persistence or privilege location (cron, systemd, init scripts, shell rc files, ld.so.preload,
 * git hooks, sudoers, authorized_keys, PAM, the OpenClaw and Talon configs that hold the guard),
 * or a system location (/etc, /usr, /boot, /dev, …). A model of locations by what they do, not a
 * list of strings seen in attacks: each rule names a place whose contents are credentials, or
 * whose contents the system later runs or trusts. Pure.
 */

/** A category a path falls into, with why. */
export interface Location {
  category: "secret" | "persistence" | "system";
  why: string;
}

/** The segments of a path after its home directory, or undefined when it is not in a home. */
export function homeTail(segments: readonly string[], home: readonly string[] | undefined): readonly string[] | undefined {
  if (segments[0] === "~") return segments.slice(1);
  if (segments[0] === "root") return segments.slice(1);
  if (segments[0] === "home" && segments.length >= 2) return segments.slice(2);
  if (segments[0] === "users" && segments.length >= 2) return segments.slice(2);
  if (home && home.length > 0 && home.every((part, i) => segments[i] === part)) return segments.slice(home.length);
  return undefined;
}

const PRIVATE_KEY_NAME = /^id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?$/;
const KEY_FILE = /\.(?:pem|key|p12|pfx|ppk|jks|keystore|kdbx|gpg|asc)$/;
const ENV_FILE = /^\.env(?:\.(?!example$|sample$|template$|dist$|defaults?$)[\w.-]+)?$/;
const SECRET_NAMES = new Set([
  "credentials",
  "credentials.json",
  "credentials.db",
  "application_default_credentials.json",
  "access_tokens.db",
  "auth-profiles.json",
  ".netrc",
  "_netrc",
  ".pgpass",
  ".git-credentials",
  ".npmrc",
  ".pypirc",
  ".vault-token",
  ".htpasswd",
  "master.key",
  "credentials.tfrc.json",
  "secrets.yml",
  "secrets.yaml",
]);
/** Folders in a home whose every file is secret material. */
const SECRET_HOME_DIRS = [
  [".ssh"],
  [".gnupg"],
  [".aws"],
  [".azure"],
  [".kube"],
  [".password-store"],
  [".config", "gcloud"],
  [".config", "gh"],
  [".docker", "config.json"],
  [".openclaw", "credentials"],
  [".talon", "token"],
];

/** Shell start-up files in a home: whatever they hold runs at every login or shell. */
const HOME_RC = new Set([
  ".bashrc",
  ".bash_profile",
  ".bash_login",
  ".bash_logout",
  ".profile",
  ".zshrc",
  ".zprofile",
  ".zshenv",
  ".zlogin",
  ".zlogout",
  ".cshrc",
  ".tcshrc",
  ".kshrc",
  ".mkshrc",
  ".xprofile",
  ".xinitrc",
  ".xsession",
  ".gitconfig",
  ".pam_environment",
]);
/** Config files that decide what Talon and the OpenClaw guard do. */
const GUARD_CONFIG = /^(?:openclaw\.json5?|openclaw-rs\.toml|talon\.toml|talon\.config\.[cm]?[jt]s|talon\.json)$/;

const startsWith = (segments: readonly string[], prefix: readonly string[]) => prefix.every((part, i) => segments[i] === part);

function secretIn(segments: readonly string[], tail: readonly string[] | undefined, name: string): string | undefined {
  if (PRIVATE_KEY_NAME.test(name)) return "an SSH private key";
  if (ENV_FILE.test(name)) return "an environment file (.env) with secrets";
  if (SECRET_NAMES.has(name)) return "a credentials file";
  if (KEY_FILE.test(name)) return "a key or keystore file";
  if (tail) for (const dir of SECRET_HOME_DIRS) if (startsWith(tail, dir)) return `secret material in ~/${dir.join("/")}`;
  if (segments.includes(".ssh")) return "a file in an .ssh folder";
  if (segments[0] === "etc" && ["shadow", "shadow-", "gshadow", "gshadow-", "master.passwd"].includes(segments[1] ?? ""))
    return "the password hashes";
  if (segments[0] === "etc" && segments[1] === "ssh" && /^ssh_host_.*_key$/.test(name)) return "an SSH host private key";
  if (segments[0] === "etc" && segments[1] === "ssl" && segments[2] === "private") return "a TLS private key";
  if (segments[0] === "proc" && ["environ", "mem", "maps", "auxv"].includes(segments[2] ?? "")) return "a process's memory or environment";
  if (segments[0] === "proc" && segments[1] === "kcore") return "kernel memory";
  if ((segments[0] === "run" || (segments[0] === "var" && segments[1] === "run")) && segments.includes("secrets"))
    return "a mounted secret (e.g. a service account token)";
  return undefined;
}

function persistenceIn(segments: readonly string[], tail: readonly string[] | undefined, name: string): string | undefined {
  const [top, second = ""] = segments;
  if (top === "etc") {
    if (second === "crontab" || second === "anacrontab" || second.startsWith("cron.")) return "a cron schedule";
    if (second === "systemd" || second === "init.d" || second === "init" || second === "rc.local" || /^rc\d?\.d$/.test(second))
      return "a service or init script";
    if (second === "ld.so.preload" || second === "ld.so.conf" || second === "ld.so.conf.d") return "the dynamic loader's preload";
    if (second === "sudoers" || second === "sudoers.d" || second === "doas.conf") return "sudo privileges";
    if (["passwd", "group", "shadow", "gshadow"].includes(second)) return "the user database";
    if (second === "pam.d" || second === "security") return "login authentication (PAM)";
    if (second === "ssh" && (name.startsWith("sshd_config") || segments[2] === "sshd_config.d")) return "the SSH server config";
    if (["profile", "profile.d", "bash.bashrc", "environment", "zsh", "zshrc", "zprofile", "zshenv", "bashrc"].includes(second))
      return "a system-wide shell start-up file";
    if (second === "xdg" && segments[2] === "autostart") return "desktop autostart";
    if (second === "update-motd.d" || (second === "apt" && segments[2] === "apt.conf.d")) return "a script the system runs";
  }
  if (top === "var" && second === "spool" && segments[2] === "cron") return "a user crontab";
  if ((top === "lib" || top === "usr" || top === "run") && segments.includes("systemd")) return "a systemd unit";
  if (tail) {
    const [first = "", next = ""] = tail;
    if (tail.length === 1 && HOME_RC.has(first)) return "a shell start-up file";
    if (first === ".ssh" && ["authorized_keys", "authorized_keys2", "rc", "config", "environment"].includes(next))
      return "SSH login trust (authorized_keys, rc, config)";
    if (first === ".config" && ["systemd", "autostart", "fish"].includes(next)) return "a user service or start-up file";
    if (first === ".config" && next === "git" && tail[2] === "config") return "the git config";
  }
  const git = segments.indexOf(".git");
  if (git >= 0 && (segments[git + 1] === "hooks" || (segments[git + 1] === "config" && segments.length === git + 2)))
    return "git hooks or git config (code git runs)";
  if (GUARD_CONFIG.test(name)) return "the config that holds Talon or its OpenClaw guard";
  const openclaw = segments.indexOf(".openclaw");
  if (openclaw >= 0 && ["extensions", "plugins"].includes(segments[openclaw + 1] ?? ""))
    return "OpenClaw's plugins (where the guard lives)";
  return undefined;
}

const SYSTEM_TOPS = new Set(["etc", "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "boot", "sys", "proc", "dev", "snap"]);

function systemIn(segments: readonly string[]): string | undefined {
  const [top, second] = segments;
  if (top === undefined) return "the root folder";
  if (SYSTEM_TOPS.has(top)) return `a system location (/${top})`;
  if (top === "var" && second !== "tmp") return "a system location (/var)";
  return undefined;
}

/**
 * Every category `path` (resolved, `/`-separated) falls into. Matched in lower case, so a
 * case-insensitive filesystem (`~/.SSH/ID_RSA`) cannot slip past; `home` is lower case too.
 */
export function locate(path: string, home: readonly string[] | undefined): Location[] {
  const segments = path
    .toLowerCase()
    .split("/")
    .filter((part) => part !== "");
  const tail = homeTail(segments, home);
  const name = segments[segments.length - 1] ?? "";
  const found: Location[] = [];
  const secret = secretIn(segments, tail, name);
  if (secret) found.push({ category: "secret", why: secret });
  const persistence = persistenceIn(segments, tail, name);
  if (persistence) found.push({ category: "persistence", why: persistence });
  const system = path.startsWith("/") ? systemIn(segments) : undefined;
  if (system) found.push({ category: "system", why: system });
  return found;
}

/**
 * Sensitive paths, by what touching them means:
 * - `secret`: reading it discloses credentials (password hashes, private keys, cloud and tool
 *   tokens, `.env` files, shell history). `strong` secrets are flagged whatever program names
 *   them; weak ones (`.env`, `*.pem`, histories) only when a program prints or sends them.
 * - `access`: writing it changes who may log in or run as root (accounts, sudoers, PAM,
 *   `authorized_keys`, `ld.so.preload`, system cron and profile files, boot).
 * - `persist`: writing it makes something run later (cron spools, systemd and init units,
 *   autostart and launchd entries, git hooks, shell and tool rc files).
 * - `log`: shell history and system logs; truncating or deleting them hides activity.
 * Paths are matched after lexical normalisation; `pathTokens` finds paths inside a longer string
 * (`--extra-opts=@/etc/shadow`, `\verbatiminput{/etc/shadow}`, `open("/root/.ssh/id_rsa")`).
 */
import { normalizePath } from "./paths.ts";

/** What a sensitive path is. */
export type PathClass = "secret" | "access" | "persist" | "log";

/** A sensitive path and what it is. */
export interface Sensitive {
  readonly cls: PathClass;
  /** The path, normalised. */
  readonly path: string;
  /** A strong secret: flagged whatever program names it. */
  readonly strong: boolean;
  /** A shell or tool start-up file (persist): its content is judged, writing it is not flagged by itself. */
  readonly rc?: boolean;
}

const HOME = String.raw`(?:~|/root|/home/[^/]+|/Users/[^/]+)`;

const STRONG_SECRETS: readonly RegExp[] = [
  /(?:^|\/)etc\/(?:shadow|gshadow|master\.passwd|security\/opasswd)(?:-|\.bak)?$/,
  /(?:^|\/)\.ssh\/(?:id_[\w-]+|identity)$/,
  /(?:^|\/)etc\/ssh\/ssh_host_\w+_key$/,
  /(?:^|\/)\.aws\/credentials$/,
  /(?:^|\/)\.config\/gcloud\/(?:credentials\.db|access_tokens\.db|application_default_credentials\.json|legacy_credentials(?:\/.*)?)$/,
  /(?:^|\/)\.kube\/config$/,
  /(?:^|\/)\.docker\/config\.json$/,
  /(?:^|\/)\.(?:netrc|git-credentials|pgpass|vault-token|pypirc)$/,
  /(?:^|\/)\.gnupg\/(?:private-keys-v1\.d(?:\/.*)?|secring\.gpg)$/,
  /(?:^|\/)\.config\/gh\/hosts\.yml$/,
  /(?:^|\/)\.azure\/(?:accessTokens\.json|msal_token_cache\.\w+)$/,
  /(?:^|\/)\.terraform\.d\/credentials\.tfrc\.json$/,
  /(?:^|\/)windows\/system32\/config\/(?:sam|system|security)$/i,
  /^\/proc\/(?:\d+|self)\/environ$/,
];

const WEAK_SECRETS: readonly RegExp[] = [
  /(?:^|\/)\.env(?:\.(?!example$|sample$|template$|dist$|defaults$|schema$)[\w-]+)?$/,
  /(?:^|\/)\.(?:npmrc|my\.cnf|s3cfg|boto|pgpass)$/,
  /(?:^|\/)\.gnupg$/,
  /(?:^|\/)\.(?:bash|zsh|sh|python|mysql|psql|node_repl|lesshst)_history$|(?:^|\/)\.zhistory$/,
  /(?:^|\/)[^/]+\.(?:pem|key|p12|pfx|jks|keystore|ppk|kdbx)$/,
  /(?:^|\/)\.config\/gcloud$/,
  /(?:^|\/)credentials(?:\.json|\.db)?$/,
  /(?:^|\/)etc\/sudoers(?:\.d(?:\/.*)?)?$/,
];

const ACCESS = new RegExp(
  [
    String.raw`^/etc/(?:passwd|shadow|group|gshadow|sudoers|sudoers\.d/.*|pam\.d/.*|security/.*|ld\.so\.preload|ld\.so\.conf|ld\.so\.conf\.d/.*|ssh/sshd_config|ssh/sshd_config\.d/.*|crontab|cron\.(?:d|hourly|daily|weekly|monthly)/.*|profile|profile\.d/.*|bashrc|bash\.bashrc|zshrc|zsh/zshrc|environment|hosts|resolv\.conf|fstab|nsswitch\.conf|doas\.conf|polkit-1/.*)$`,
    String.raw`^/boot/`,
    String.raw`^${HOME}/\.ssh/authorized_keys2?$`,
    String.raw`(?:^|/)\.ssh/authorized_keys2?$`,
  ].join("|"),
);

const PERSIST = new RegExp(
  [
    String.raw`^/var/spool/cron/`,
    String.raw`^/var/spool/at/`,
    String.raw`^/(?:etc|lib|usr/lib|run)/systemd/(?:system|user)(?:\.conf|/.*)$`,
    String.raw`^${HOME}/\.config/systemd/user/`,
    String.raw`^/etc/(?:init\.d|rc\d?\.d|update-motd\.d|udev/rules\.d|apt/apt\.conf\.d|xdg/autostart|NetworkManager/dispatcher\.d)/`,
    String.raw`^/etc/rc\.local$`,
    String.raw`^${HOME}/\.config/autostart/`,
    String.raw`^(?:${HOME})?/Library/Launch(?:Agents|Daemons)/`,
    String.raw`(?:^|/)\.git/hooks/[^/]+$`,
    String.raw`^${HOME}/\.ssh/(?:rc|config)$`,
  ].join("|"),
);

/** Shell and tool start-up files: whatever they hold runs later. */
const RC_FILE = new RegExp(
  String.raw`^${HOME}/(?:\.(?:bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zlogin|zshenv|kshrc|cshrc|tcshrc|inputrc|xinitrc|xprofile|xsessionrc|gitconfig|vimrc|exrc|toprc|rtorrent\.rc|tmux\.conf|screenrc|wgetrc|curlrc|pam_environment)|\.config/(?:fish/config\.fish|procps/toprc|git/config|nvim/init\.\w+)|[^/]*\.rc)$`,
);

const LOG = new RegExp(
  String.raw`^${HOME}/\.(?:bash|zsh|sh|python|mysql|psql|node_repl|lesshst)_history$|^${HOME}/\.zhistory$|^/var/log/(?:.*)$|^/var/(?:run|log)/(?:utmp|wtmp|btmp|lastlog|faillog)$|^/run/(?:utmp|wtmp)$`,
);

// Every sensitive path contains one of these; one test rules out almost every argument cheaply.
const MAYBE_SENSITIVE =
  /shadow|\.ssh|passwd|group|sudoers|pam\.d|security|ld\.so|crontab|cron\.|\/boot\/|profile|bashrc|zshrc|environment|hosts|resolv|fstab|nsswitch|doas|polkit|\.aws|gcloud|\.kube|\.docker|netrc|credentials|vault|pypirc|pgpass|gnupg|\/gh\/|\.azure|\.terraform|system32|\/proc\/|\.env|npmrc|my\.cnf|s3cfg|boto|history|\.(?:pem|key|p12|pfx|jks|keystore|ppk|kdbx)$|\/var\/|systemd|\/init\.d|\/rc|update-motd|udev|apt\.conf|autostart|dispatcher|Launch|\.git\/|\/\.[\w.-]*rc$|\.rc$|login|logout|zsh|inputrc|xinit|xprofile|xsession|gitconfig|tmux\.conf|pam_|\.config\/|utmp|wtmp|credentials|ssh_host/i;

/** Classify a path; undefined when it is nothing special. */
export function classifyPath(path: string, cwd?: string): Sensitive | undefined {
  if (path.length < 4 || !MAYBE_SENSITIVE.test(path)) return undefined;
  const raw = path.replace(/^[@<]/, "");
  if (raw === "" || raw.length > 4096) return undefined;
  const normalized = normalizePath(raw, cwd);
  if (normalized.endsWith(".pub")) return undefined;
  if (ACCESS.test(normalized)) return { cls: "access", path: normalized, strong: /shadow/.test(normalized) };
  if (STRONG_SECRETS.some((pattern) => pattern.test(normalized))) return { cls: "secret", path: normalized, strong: true };
  if (PERSIST.test(normalized)) return { cls: "persist", path: normalized, strong: false };
  if (RC_FILE.test(normalized)) return { cls: "persist", path: normalized, strong: false, rc: true };
  if (LOG.test(normalized)) return { cls: "log", path: normalized, strong: false };
  if (WEAK_SECRETS.some((pattern) => pattern.test(normalized))) return { cls: "secret", path: normalized, strong: false };
  return undefined;
}

/** A secret (for reads and uploads): shadow, keys, tokens, `.env`, histories. */
export function isSecretPath(path: string, cwd?: string): boolean {
  const found = classifyPath(path, cwd);
  return found !== undefined && (found.cls === "secret" || (found.cls === "access" && found.strong) || /_history$/.test(found.path));
}

/** A folder of secrets (`~/.ssh`, `~/.aws`, `~/.gnupg`): archiving or copying it leaks them. */
export function isSecretDir(path: string, cwd?: string): boolean {
  return /(?:^|\/)\.(?:ssh|aws|gnupg|kube|docker|azure|password-store)$|(?:^|\/)\.config\/(?:gcloud|gh)$/.test(normalizePath(path, cwd));
}

// Path-looking runs inside a longer string: absolute, home-relative, or a dotfile such as `.env`.
const PATH_TOKEN =
  /(?:~|\$HOME|\$\{HOME\})?\/[^\s'"`;|&<>(){}[\],=@:*?!]+|(?:^|(?<=[\s'"=@:({,]))\.(?:env|ssh|aws|kube|docker|netrc|git-credentials)[^\s'"`;|&<>(){}[\],=@:*?!]*/g;

/** Path-looking tokens inside a string (bounded). */
export function pathTokens(text: string, limit = 64): string[] {
  if (text.length < 2 || (!text.includes("/") && !text.includes(".env") && !text.includes(".ssh"))) return [];
  const out: string[] = [];
  for (const match of text.slice(0, 65536).matchAll(PATH_TOKEN)) {
    out.push(match[0]);
    if (out.length >= limit) break;
  }
  return out;
}

/** The sensitive paths named anywhere in a string. */
export function sensitiveIn(text: string, cwd?: string): Sensitive[] {
  const out: Sensitive[] = [];
  for (const token of pathTokens(text)) {
    const found = classifyPath(token, cwd);
    if (found) out.push(found);
  }
  return out;
}

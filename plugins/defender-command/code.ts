/**
 * What a piece of code does, read without knowing its language: inline interpreter code
 * (`python -c`, `perl -e`, awk programs), heredocs and text fed to interpreters, files written
 * in the script and run later, lines typed into a REPL or pager, and code-bearing arguments
 * (`bpftrace -e`, `rpm --eval '%{lua:…}'`, `\write18{…}`). It looks for the primitives every
 * language shares: spawning processes (and the command strings they get), sockets, listeners,
 * HTTP clients, file reads and writes, library loading, setuid, decode-then-run and fork loops.
 * Linear in the code's length (bounded by MAX_CODE).
 */

/** Longest code read (characters); longer code is read in its first and last parts. */
export const MAX_CODE = 32768;

/** What the code does. */
export interface CodeFacts {
  /** Spawns processes at all (system, exec, popen, spawn, backticks, `!cmd` …). */
  readonly spawns: boolean;
  /** Literal command strings it runs (analysed as shell scripts by the caller). */
  readonly commands: readonly string[];
  /** A shell path appears where a process is spawned (`os.system("/bin/sh")`, `exec "/bin/sh"`). */
  readonly shellPath: boolean;
  /** Runs commands known only at run time (`system(cmd)`, `io.popen(r)`, `c |& getline`). */
  readonly dynamicSpawn: boolean;
  /** Opens an outbound socket or raw network path (`/dev/tcp`, `/inet/tcp`). */
  readonly socket: boolean;
  /** Listens for connections. */
  readonly listens: boolean;
  /** Uses an HTTP client. */
  readonly http: boolean;
  /** Wires standard streams to a descriptor (`dup2`, `pty.spawn`, `open(STDIN,">&S")`). */
  readonly redirectsStreams: boolean;
  /** Reads a file (open, readFileSync, io.open …). */
  readonly readsFile: boolean;
  /** Writes a file. */
  readonly writesFile: boolean;
  /** Loads a shared library. */
  readonly library: boolean;
  /** Sets its user id to root. */
  readonly setuid: boolean;
  /** Decodes a payload and evaluates or runs it. */
  readonly decodeRun: boolean;
  /** Fetches code over HTTP and evaluates it. */
  readonly fetchRun: boolean;
  /** Forks in an endless loop. */
  readonly forkLoop: boolean;
  /** Literal base64/hex payloads it decodes (shown to the caller for nested analysis). */
  readonly payloads: readonly string[];
  /** Paths it deletes recursively. */
  readonly deletes: readonly string[];
}

const SPAWN =
  /\bos\.(?:system|popen|exec[lv]p?e?|spawn\w*|posix_spawn\w*)\s*\(|\bsubprocess\.\w+\s*\(|\bpty\.spawn\s*\(|\bcommands\.getoutput\s*\(|child_process|\b(?:exec|spawn|execFile)(?:Sync)?\s*\(|\bsystem\s*[("'`\s]|\bexec\s*[("'`{]|\bexec\s+(?:\/|[a-z])|\bshell_exec\s*\(|\bpassthru\s*\(|\bproc_open\s*\(|\bpopen\s*\(|\bIO\.popen|\bKernel\.(?:exec|system|spawn)|\bOpen3\.|\bos\.execute\s*\(|\bio\.popen\s*\(|\bposix\.exec\w*\s*\(|Runtime\.getRuntime\(\)\.exec|\bProcessBuilder\b|\bProcess\.Start\b|\bcallCommand\b|\bSystem\.Process\b|\brun\s*\(\s*`|\bspawn\s+\/|\bshell-command\b|\(term\s+"|\bCALL\s+"SYSTEM"|\\(?:immediate\\)?write18\s*\{|\bunixexec:|\|&\s*getline|\|\s*getline|\bprint\s*\|\s*"|\bqx[{(/]|%x[({]|\bInvoke-Expression\b|\bIEX\b|\bStart-Process\b/;
// Only in text typed into an interactive program or handed to one as a command option: `!cmd`,
// `:!cmd`, `\! cmd`, `.shell cmd`, rpm's `%(cmd)`. (In awk or Python these mean something else.)
const TYPED_SPAWN = /^\s*:?!\s*\S|[\n;]\s*:?!\s*\S|\\!\s*\S|\.shell\s+\S|%\(|^\s*shell\s+\S/m;
// Backticks run commands in Perl, Ruby, PHP and shells, not in JavaScript.
const BACKTICKS = /`[^`\n]{2,}`/;

// A shell named where a process starts: `/bin/sh`, `"sh"`, `'bash -i'`, `exec sh`, `sh -p`.
const SHELL_PATH =
  /(?:^|[^\w./-])(?:\/usr)?\/bin\/(?:ba|da|z|k|c|tc|fi|a|mk|ya|po|r)?sh\b|["'`(\s,[](?:ba|da|z|k|c|tc|a|mk|ya)?sh(?:\s+-[a-z]+)?["'`)\],]|\bexec\s+(?:ba|da|z|k)?sh\b|\bcmd\.exe\b|\bpowershell(?:\.exe)?\b/;

const DYNAMIC_SPAWN =
  /\b(?:system|popen|exec|io\.popen|os\.execute|shell_exec|passthru|spawn|execSync|IO\.popen)\s*\(\s*[A-Za-z_$][\w.$]*\s*[,)]|\|&\s*getline|\bexec\s+\$\w+|\b(?:system|exec)\s*\$\w|\beval\s+\$\w+|\[eval\s+\$\w+\]|\bset\s+e\s+"exec\s+\$/;

const SOCKET =
  /\bsocket\s*[.(]|\bsocket\.(?:socket|tcp|udp)\b|\bcreate_connection\s*\(|\bTCPSocket\b|\bUDPSocket\b|\bfsockopen\s*\(|\bstream_socket_client\b|IO::Socket|\bSocket::|\bnet\.(?:Socket|connect|createConnection)\b|require\(\s*["'](?:net|tls|dgram)["']\)|\[socket\s|require\s*\(?\s*["']socket["']|\/inet6?\/(?:tcp|udp)\/|\/dev\/(?:tcp|udp)\/|\bs_client\b|Net\.Sockets|TcpClient|\bztcp\b|\bnc\s+-|\bjava\.net\.Socket\b|\bnew\s+Socket\s*\(|\bSocketChannel\b|\bgetaddrinfo\s*\(/;

const LISTEN =
  /\.listen\s*\(|\bcreateServer\b|\bTCPServer\b|\bHTTPServer\b|SimpleHTTPRequestHandler|\bserve_forever\b|socketserver|SocketServer|[.:]bind\s*\(|\.accept\s*\(|\/inet6?\/tcp\/(?:"\s*\w+\s*"|\d+)\/0\/0|\bWEBrick\b|\bTcpListener\b|\[socket\s+-server|\bhttpd\b|\bs_server\b/;

const HTTP =
  /\burllib\w*\b|\burlopen\b|\burlretrieve\b|\brequests\.\w+\s*\(|\bhttpx?\.|\bhttps?\.(?:request|get)\b|require\(\s*["']https?["']\)|\bfetch\s*\(|XMLHttpRequest|\bcurl_exec\b|file_get_contents\s*\(\s*["']https?:|\bLWP::|HTTP::Tiny|Net::HTTP|open-uri|\bWebClient\b|Invoke-WebRequest|Invoke-RestMethod|\biwr\b|DownloadString|\bhttp\.client\b|\bsocket\.http\b/;

const REDIRECTS_STREAMS =
  /\bdup2\s*\(|\bpty\.spawn\s*\(|open\s*\(\s*STD(?:IN|OUT|ERR)\s*,\s*["']?[<>]&|\breopen\s*\(|\.fileno\s*\(|\bstdio\s*:\s*\[\s*0|\.pipe\s*\(\s*\w+\.stdin|<@stdin|>@stdout/;

const READS_FILE =
  /\bopen\s*\(|\bio\.open\s*\(|readFileSync|readFile\s*\(|createReadStream|\bFile\.(?:read|open|new)\b|file_get_contents|\bslurp\b|\bIO\.read\b|\bGet-Content\b|\bfile\s*\(\s*["']|\\(?:verbatim)?input\{|\breadlines\s*\(|\bcat\s+\S/;

const WRITES_FILE =
  /\bopen\s*\([^)]*,\s*["'][wa+]|\bio\.open\s*\([^)]*["'][wa]|writeFileSync|appendFileSync|writeFile\s*\(|createWriteStream|\bFile\.(?:write|open\s*\([^)]*["'][wa])|file_put_contents|\bOut-File\b|\bSet-Content\b|\bAdd-Content\b|\bprint\s+[^;|>]*>\s*\w|\bprintf\s*\([^)]*\)\s*>|\bfwrite\s*\(|\bfputs\s*\(|\bdump\s+value\b|\bcontent\s*=>|\bw\s+\/|\bsave\s*\(/;

const LIBRARY =
  /\bctypes\b|\bcdll\b|\bCDLL\s*\(|LoadLibrary|\bdlopen\b|\bFiddle\b|\bffi\.load\b|\bffi_lib\b|System\.load(?:Library)?\s*\(|DynaLoader|\benable\s+-f\b|\bLD_PRELOAD\b|\bload_extension\b|\.load\s+\S+\.so\b/;

const SETUID =
  /\bsetuid\s*\(\s*0\s*\)|\bset(?:res|re|e)?uid\s*\(\s*0|POSIX::setuid\s*\(\s*0|\bProcess::Sys\.setuid\s*\(\s*0|\bprocess\.setuid\s*\(\s*0|\bos\.setuid\s*\(\s*0|\bsetuid\s*\(\s*0/;

const DECODES =
  /\bb64decode\s*\(|\bbase64\.\w*decode|\batob\s*\(|Buffer\.from\s*\([^)]*['"](?:base64|hex)['"]|\bbytes\.fromhex\s*\(|\bcodecs\.decode\s*\(|\bunpack\s*\(|\bpack\s*\(\s*["']H\*|decode_base64|Base64\.decode|FromBase64String|\bbase64_decode\s*\(/;
const EVALUATES =
  /\bexec\s*\(|\beval\s*\(|\bsystem\s*\(|\bpopen\s*\(|subprocess|child_process|\bspawn\w*\s*\(|Function\s*\(|\bloadstring\s*\(|\bload\s*\(|Invoke-Expression|\bIEX\b|\bassert\s*\(/;
const FETCHES =
  /\burlopen\b|\brequests\.get\b|\bhttps?\.get\b|\bfetch\s*\(|Net::HTTP|open-uri|\bcurl_exec\b|file_get_contents\s*\(\s*["']https?:|DownloadString|Invoke-WebRequest|\biwr\b|\bLWP::Simple\b|\bget\s*\(\s*["']https?:/;

const FORK_LOOP =
  /\bfork\s+while\s+fork\b|while\s*[(:]?\s*(?:true|True|1)\s*\)?\s*[:{]?[^;\n]{0,60}?\bfork\s*\(|\bos\.fork\s*\(\s*\)[^\n]{0,80}\bwhile\b|\bwhile\b[^\n]{0,60}\bos\.fork\s*\(/;

// String literals handed to a process call: `system("…")`, `os.execute('…')`, `exec "…"`, `spawn("…")`.
const COMMAND_STRING =
  /\b(?:system|popen|exec(?:Sync|l|lp|le|v|vp)?|spawn(?:Sync)?|run|call|check_output|check_call|getoutput|getstatusoutput|shell_exec|passthru|Popen|execute|callCommand|Start|shell-command|term)\s*\(?\s*(?:f|r|b)?(['"`])((?:(?!\1)[^\\\n]|\\.){1,2000})\1/g;
// `subprocess.run(['rm', '-rf', '/'])`, `spawn("/bin/sh", ["-p"])`.
const COMMAND_LIST =
  /\b(?:run|call|check_output|check_call|Popen|spawnSync|spawn|execFileSync|execFile|execl|execv|execvp)\s*\(\s*\[?\s*((?:['"][^'"\n]{0,200}['"]\s*,?\s*){1,40})\]?/g;
// Shell escapes typed as a line or embedded: `!/bin/sh`, `:!sh`, `\! /bin/sh`, `.shell /bin/sh`, `%(…)`, `\write18{…}`, `unixexec:path=…`.
const TYPED_ESCAPE =
  /(?:^|[\n;'"])\s*:?!\s*([^\n'"]{1,500})|\\!\s*([^\n'"]{1,500})|\.shell\s+([^\n'"]{1,500})|%\(([^)\n]{1,500})\)|(?:^|\n)\s*shell\s+([^\n]{1,500})/g;
const EMBEDDED_ESCAPE =
  /\\(?:immediate\\)?write18\s*\{([^}\n]{1,500})\}|\bunixexec:path=([^,\s'"]{1,200})|\bspawn\s+(\/[^\s;'"]{1,200})|\bexec\s+(\/[^\s;'"<>]{1,200})/g;
const LITERAL_B64 =
  /\bb64decode\s*\(\s*b?(['"])([A-Za-z0-9+/=_-]{8,4000})\1\s*\)|\batob\s*\(\s*(['"])([A-Za-z0-9+/=_-]{8,4000})\3\s*\)|FromBase64String\s*\(\s*(['"])([A-Za-z0-9+/=]{8,4000})\5/g;
const LITERAL_HEX =
  /\bpack\s*\(\s*["']H\*["']\s*,\s*(['"])([0-9a-fA-F]{4,4000})\1\s*\)|\bbytes\.fromhex\s*\(\s*(['"])([0-9a-fA-F]{4,4000})\3\s*\)/g;
const DELETE_CALL =
  /\b(?:shutil\.rmtree|rmSync|rmdirSync|rm_rf|rm_r|FileUtils\.rm_rf|rimraf(?:\.sync)?|remove_dir_all)\s*\(\s*(['"])([^'"\n]{1,300})\1|\bshutil\.rmtree\s*\(\s*os\.path\.expanduser\s*\(\s*['"]~['"]\s*\)/g;

const MAX_COMMANDS = 32;

function bounded(text: string): string {
  return text.length <= MAX_CODE ? text : `${text.slice(0, (MAX_CODE * 3) >> 2)}\n${text.slice(text.length - (MAX_CODE >> 2))}`;
}

/** How to read code: `typed` for text typed into an interactive program (`!cmd` escapes count); the language when known. */
export interface ReadOptions {
  readonly typed?: boolean;
  readonly language?: string;
}

const JAVASCRIPT = new Set(["node", "nodejs", "bun", "deno", "jjs", "jrunscript"]);

/** Read a piece of code. */
export function readCode(source: string, options: ReadOptions = {}): CodeFacts {
  const code = bounded(source);
  const commands: string[] = [];
  const push = (text: string | undefined) => {
    const command = text?.trim();
    if (command && commands.length < MAX_COMMANDS) commands.push(command.replace(/\\(["'\\])/g, "$1"));
  };
  const spawns =
    SPAWN.test(code) ||
    (options.typed === true && TYPED_SPAWN.test(code)) ||
    (!JAVASCRIPT.has(options.language ?? "") && BACKTICKS.test(code));
  if (spawns) {
    for (const match of code.matchAll(COMMAND_STRING)) push(match[2]);
    for (const match of code.matchAll(COMMAND_LIST)) {
      const items = [...match[1]!.matchAll(/['"]([^'"\n]*)['"]/g)].map((item) => item[1]!);
      push(items.map((item) => (/[\s;&|]/.test(item) ? `'${item.replace(/'/g, "'\\''")}'` : item)).join(" "));
    }
    if (options.typed) for (const match of code.matchAll(TYPED_ESCAPE)) push(match.slice(1).find((group) => group !== undefined));
    for (const match of code.matchAll(EMBEDDED_ESCAPE)) push(match.slice(1).find((group) => group !== undefined));
    if (!JAVASCRIPT.has(options.language ?? "")) for (const match of code.matchAll(/`([^`\n]{2,500})`/g)) push(match[1]);
  }
  const payloads: string[] = [];
  for (const match of code.matchAll(LITERAL_B64)) payloads.push(Buffer.from(match[2] ?? match[4] ?? match[6]!, "base64").toString("utf8"));
  for (const match of code.matchAll(LITERAL_HEX)) payloads.push(Buffer.from(match[2] ?? match[4]!, "hex").toString("utf8"));
  const deletes: string[] = [];
  for (const match of code.matchAll(DELETE_CALL)) deletes.push(match[2] ?? "~");
  const http = HTTP.test(code);
  return {
    spawns,
    commands,
    shellPath: spawns && SHELL_PATH.test(code),
    dynamicSpawn: DYNAMIC_SPAWN.test(code),
    socket: SOCKET.test(code),
    listens: LISTEN.test(code),
    http,
    redirectsStreams: REDIRECTS_STREAMS.test(code),
    readsFile: READS_FILE.test(code),
    writesFile: WRITES_FILE.test(code),
    library: LIBRARY.test(code),
    setuid: SETUID.test(code),
    decodeRun: DECODES.test(code) && EVALUATES.test(code),
    fetchRun: http && FETCHES.test(code) && EVALUATES.test(code),
    forkLoop: FORK_LOOP.test(code),
    payloads,
    deletes,
  };
}

/** Does the text look like code worth reading (a call, a shell path, a socket or an escape)? Cheap pre-check. */
export function looksLikeCode(text: string): boolean {
  return text.length >= 4 && /[(){}`!%\\]|\/bin\/|\bexec\b|\bsocket\b|\bspawn\b|\bsystem\b|\/inet\/|\/dev\/tcp/.test(text);
}

/**
 * The quarantine folder: one file per blocked action, written atomically (temporary file, then
 * rename), under a unique name, with at most `maxFiles` files (the oldest go first). Writes run
 * one at a time; a backlog beyond `MAX_PENDING_WRITES` is refused with a warning, never dropped
 * silently.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@talon/sdk";

/** Most records waiting to be written. */
const MAX_PENDING_WRITES = 256;

const FILE_NAME = /^blocked-(\d+)-.*\.json$/;
const TEMP_NAME = /^\.blocked-.*\.tmp$/;

/** Per-process random part plus a counter: unique across restarts and within one millisecond, without a random draw per file. */
const NAME_PREFIX = randomBytes(4).toString("hex");
let nameCounter = 0;

/** `blocked-<epoch ms>-<id, sanitised>-<unique>.json` (the seed's name plus a unique part, so two blocks never collide). */
export function quarantineFileName(id: string, now: number): string {
  const safe = id.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
  nameCounter = (nameCounter + 1) % 0x100000000;
  return `blocked-${now}-${safe}-${NAME_PREFIX}${nameCounter.toString(16).padStart(8, "0")}.json`;
}

/** The quarantine folder and its bounded write queue. */
export class QuarantineStore {
  readonly #log: Logger;
  #dir: string | undefined;
  #files: string[] = [];
  #chain: Promise<void> = Promise.resolve();
  #pending = 0;
  #skipped = 0;
  #warnedAt = 0;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Files currently kept, oldest first. */
  get files(): readonly string[] {
    return this.#files;
  }

  /** Wait for queued writes. */
  flush(): Promise<void> {
    return this.#chain;
  }

  /**
   * Queue one record. `body` is built only when its turn comes, so a flood beyond the backlog
   * costs no redaction or serialisation. Returns false when the backlog is full (logged).
   */
  write(dir: string, name: string, body: () => string, maxFiles: number): boolean {
    if (this.#pending >= MAX_PENDING_WRITES) {
      // One warning per second with the count, so a flood of blocks does not flood the log too.
      this.#skipped++;
      const now = Date.now();
      if (now - this.#warnedAt >= 1000) {
        this.#log.warn(
          { code: "TALON_DEFENDER_CAPACITY", skipped: this.#skipped, file: name },
          "quarantine write backlog full; blocked actions were not quarantined",
        );
        this.#warnedAt = now;
        this.#skipped = 0;
      }
      return false;
    }
    this.#pending++;
    this.#chain = this.#chain
      .then(() => this.#write(dir, name, body, maxFiles))
      .catch((error) => this.#log.error({ err: error, dir, file: name }, "quarantine write failed"))
      .finally(() => {
        this.#pending--;
      });
    return true;
  }

  async #open(dir: string): Promise<void> {
    if (this.#dir === dir) return;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const names = await readdir(dir);
    for (const stale of names.filter((name) => TEMP_NAME.test(name))) await unlink(join(dir, stale)).catch(() => undefined);
    this.#files = names
      .filter((name) => FILE_NAME.test(name))
      .sort((a, b) => Number(FILE_NAME.exec(a)![1]) - Number(FILE_NAME.exec(b)![1]) || (a < b ? -1 : 1));
    this.#dir = dir;
  }

  async #write(dir: string, name: string, body: () => string, maxFiles: number): Promise<void> {
    await this.#open(dir);
    const temp = join(dir, `.${name}.tmp`);
    await writeFile(temp, body(), { mode: 0o600, flag: "wx" });
    await rename(temp, join(dir, name));
    this.#files.push(name);
    while (this.#files.length > Math.max(1, maxFiles)) {
      const oldest = this.#files.shift()!;
      await unlink(join(dir, oldest)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") this.#log.warn({ err: error, file: oldest }, "could not remove an old quarantine file");
      });
    }
  }
}

/**
 * The gateway token `talon serve` generates when none is configured: 24 random bytes, hex, in
 * `<data_dir>/token` (mode 0600). The token is never printed or logged, only its location.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TalonError, errorMessage } from "@talon/sdk";

export const TOKEN_FILE = "token";

/** Read the stored token, or create one. Returns the token and whether it was just created. */
export async function ensureGatewayToken(dataDir: string): Promise<{ token: string; file: string; created: boolean }> {
  try {
    return await readOrCreate(dataDir);
  } catch (error) {
    throw new TalonError("TALON_STATE_UNWRITABLE", `cannot store the gateway token in ${dataDir}: ${errorMessage(error)}`, {
      cause: error,
      hint: "choose a writable folder with --data-dir or data_dir, or set gateway.token yourself",
    });
  }
}

async function readOrCreate(dataDir: string): Promise<{ token: string; file: string; created: boolean }> {
  const file = join(dataDir, TOKEN_FILE);
  try {
    const token = (await readFile(file, "utf8")).trim();
    if (token !== "") return { token, file, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const token = randomBytes(24).toString("hex");
  await writeFile(file, `${token}\n`, { mode: 0o600, flag: "wx" }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  await chmod(file, 0o600);
  const stored = (await readFile(file, "utf8")).trim();
  return { token: stored, file, created: stored === token };
}

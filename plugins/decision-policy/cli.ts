/** `talon policy sign` / `talon policy verify`: sign and check signed policy bundles (seed-defender §6). */
import { readFile, rename, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  EXIT,
  TalonError,
  checkBundleThresholds,
  defineCommand,
  errorMessage,
  isTalonError,
  signBundle,
  talonConfigSchema,
  verifyBundleText,
  type CommandContext,
} from "@talon/sdk";

const KEY_HELP = `The key is --key K, --key-file FILE (first line), or the environment variable
TALON_POLICY_BUNDLE_KEY / OPENCLAW_RS_POLICY_BUNDLE_KEY (a key on the command line is visible
to other local users in the process list; prefer the file or the environment).`;

const SIGN_USAGE = `Usage: talon policy sign FILE [--key K | --key-file FILE] [--out FILE | --in-place]

Sign the policy bundle FILE (JSON) with HMAC-SHA256 over its recursively key-sorted compact JSON
without "signature", and print the signed bundle (or write it with --out / --in-place, atomically).
The bundle is checked (schema, non-empty lists, thresholds) before it is signed.
${KEY_HELP}`;

const VERIFY_USAGE = `Usage: talon policy verify FILE [--key K | --key-file FILE]

Check that the policy bundle FILE is signed with the key and would apply: exit 0 when it is,
7 when it is not (bad signature, schema, empty lists, thresholds), 2 on a usage error.
${KEY_HELP}`;

const keyFlags = { key: { type: "string" }, "key-file": { type: "string" } } as const;

/** The positional at `index`, or a usage error naming it. */
function requirePositional(positionals: string[], index: number, name: string, usage: string): string {
  const value = positionals[index];
  if (value === undefined) throw new TalonError("TALON_CLI_USAGE", `missing ${name}\n\n${usage}`);
  return value;
}

async function keyFrom(values: Record<string, unknown>, io: CommandContext, usage: string): Promise<string> {
  if (values.key !== undefined && values["key-file"] !== undefined)
    throw new TalonError("TALON_CLI_USAGE", `give either --key or --key-file, not both\n\n${usage}`);
  let key = values.key as string | undefined;
  if (values["key-file"] !== undefined) {
    const file = resolve(io.cwd, values["key-file"] as string);
    key = (
      await readFile(file, "utf8").catch((error) => {
        throw new TalonError("TALON_CLI_USAGE", `cannot read --key-file ${file}: ${errorMessage(error)}`);
      })
    ).split(/\r?\n/, 1)[0];
  }
  key ??= io.env.TALON_POLICY_BUNDLE_KEY ?? io.env.OPENCLAW_RS_POLICY_BUNDLE_KEY;
  if (key === undefined || key.trim() === "") throw new TalonError("TALON_CLI_USAGE", `missing the signing key\n\n${usage}`);
  return key;
}

async function readJsonObject(file: string): Promise<{ text: string; object: Record<string, unknown> }> {
  const text = await readFile(file, "utf8").catch((error) => {
    throw new TalonError("TALON_POLICY_BUNDLE_INVALID", `failed reading policy bundle ${file}: ${errorMessage(error)}`);
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TalonError("TALON_POLICY_BUNDLE_INVALID", `failed parsing policy bundle JSON ${file}: ${errorMessage(error)}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new TalonError("TALON_POLICY_BUNDLE_INVALID", "policy bundle root must be an object");
  return { text, object: value as Record<string, unknown> };
}

/** Verify `text` as a bundle and check it would apply to the built-in defaults. */
function check(text: string, key: string, file: string) {
  const bundle = verifyBundleText(text, key, file);
  checkBundleThresholds(bundle.overrides, talonConfigSchema.parse({}).security, file);
  return bundle;
}

/** `talon policy sign FILE`. */
export const policySignCommand = defineCommand({
  path: ["policy", "sign"],
  summary: "sign a policy bundle with an HMAC key",
  usage: SIGN_USAGE,
  options: { ...keyFlags, out: { type: "string", short: "o" }, "in-place": { type: "boolean" } },
  async run({ values, positionals }, io) {
    const file = resolve(io.cwd, requirePositional(positionals, 0, "FILE", SIGN_USAGE));
    if (values.out !== undefined && values["in-place"])
      throw new TalonError("TALON_CLI_USAGE", `give either --out or --in-place, not both\n\n${SIGN_USAGE}`);
    const key = await keyFrom(values, io, SIGN_USAGE);
    const { object } = await readJsonObject(file);
    const { signature: _old, ...unsigned } = object;
    const signed = { ...unsigned, signature: signBundle(unsigned, key) };
    const text = `${JSON.stringify(signed, null, 2)}\n`;
    check(text, key, file);
    const target = values["in-place"] ? file : values.out !== undefined ? resolve(io.cwd, values.out as string) : undefined;
    if (!target) {
      io.out(text.trimEnd());
      return EXIT.OK;
    }
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, text, { mode: 0o644 });
    await rename(temp, target);
    io.out(`${target}: signed (sha256:${signed.signature})`);
    return EXIT.OK;
  },
});

/** `talon policy verify FILE`. */
export const policyVerifyCommand = defineCommand({
  path: ["policy", "verify"],
  summary: "check a signed policy bundle against its key",
  usage: VERIFY_USAGE,
  options: keyFlags,
  async run({ values, positionals }, io) {
    const file = resolve(io.cwd, requirePositional(positionals, 0, "FILE", VERIFY_USAGE));
    const key = await keyFrom(values, io, VERIFY_USAGE);
    try {
      const { text } = await readJsonObject(file);
      const bundle = check(text, key, file);
      const fields = bundle.fields.length > 0 ? bundle.fields.join(", ") : "none";
      io.out(
        `${file}: valid (bundle ${bundle.bundleId ?? "unnamed"}, version ${bundle.version}${bundle.signedAt ? `, signed ${bundle.signedAt}` : ""}; overrides ${fields})`,
      );
      return EXIT.OK;
    } catch (error) {
      if (!isTalonError(error) || error.code !== "TALON_POLICY_BUNDLE_INVALID") throw error;
      io.err(`${file}: invalid: ${error.bareMessage}${error.hint ? `\n  hint: ${error.hint}` : ""}`);
      return EXIT.CHECK_FAILED;
    }
  },
});

/** Both policy commands, contributed by decision-policy. */
export const policyCommands = [policySignCommand, policyVerifyCommand];

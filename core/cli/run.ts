/** Process entry of the `talon` CLI: run the command, set the exit code. */
import { holdYoungGeneration } from "../runtime/young-generation.ts";

// Before the host's modules load (hence the dynamic import below); serve releases it once listening.
holdYoungGeneration();
const { runCli } = await import("./main.ts");

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  cwd: process.cwd(),
});

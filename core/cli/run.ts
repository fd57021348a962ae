/** Process entry of the `talon` CLI: run the command, set the exit code. */
import type { CommandIO } from "./command.ts";
import { runCli } from "./main.ts";

const io: CommandIO = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  cwd: process.cwd(),
};

process.exitCode = await runCli(process.argv.slice(2), io);

/** `talon eval FILE.jsonl…`: run a labelled corpus through the real pipeline and report recall and false positives. */
import { TalonError } from "@talon/sdk";
import type { ConfigSource } from "../../config/load.ts";
import { readCorpus, type EvalCase } from "../../eval/corpus.ts";
import { renderReport } from "../../eval/report.ts";
import { runEval } from "../../eval/run.ts";
import { createLogger, createSilentLogger } from "../../log.ts";
import { parseFlags, requirePositional, type Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";
import { SERVE_FLAGS, serveOverrides } from "./serve.ts";

const USAGE = `Usage: talon eval FILE.jsonl... [serve's options] [--json] [--min-recall R] [--max-fp R]

Run labelled cases through the real pipeline with this deployment's config (every plugin it
loads, its thresholds, policies and patterns), as security.evaluate would, and print per category
how many were allowed, reviewed and blocked, recall (malicious cases not allowed), false positives
(benign cases not allowed) and every misjudged line.

Each line of a FILE is one JSON case:
  {"text": "…", "label": "malicious" | "benign", "cat": "…", "role": "user" | "tool" | …}
  {"cmd": "…", "label": "…", "cat": "…", "tool": "exec"}
text is screened as a prompt with its role (default user); cmd as a command under its tool
(default exec). Other keys are ignored.

Options:
  --config FILE, --data-dir DIR, --mode, --log-level, ...   as for talon serve
  --json             print the report as JSON
  --min-recall R     exit 7 when recall is below R (0..1)
  --max-fp R         exit 7 when the false-positive rate is above R (0..1)

Nothing is written: the store is in memory, data and quarantine go to a temporary folder, no
gateway listens and no channel account starts. Exits 2 on an unreadable file or a malformed line
(naming the file and line).`;

function rate(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number > 1)
    throw new TalonError("TALON_CLI_USAGE", `${flag} must be a number from 0 to 1 (got ${String(value)})`, {
      hint: "see talon eval --help",
    });
  return number;
}

export const evalCommand: Command = {
  path: ["eval"],
  summary: "run a labelled corpus through the pipeline and report recall and false positives",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      { ...SERVE_FLAGS, json: { type: "boolean" }, "min-recall": { type: "string" }, "max-fp": { type: "string" } },
      USAGE,
    );
    if (values.help) {
      io.out(USAGE);
      return EXIT.OK;
    }
    requirePositional(positionals, 0, "FILE.jsonl", USAGE);
    const minRecall = rate(values["min-recall"], "--min-recall");
    const maxFp = rate(values["max-fp"], "--max-fp");
    const cases: EvalCase[] = [];
    const files: string[] = [];
    for (const file of positionals) {
      const read = await readCorpus(file, io.cwd);
      files.push(read[0]!.file);
      cases.push(...read);
    }
    const source: ConfigSource = { file: values.config as string | undefined, env: io.env, cwd: io.cwd };
    const overrides = await serveOverrides(values, source);
    const level = values["log-level"] as string | undefined;
    const log = level && level !== "silent" ? createLogger({ level, pretty: false, destination: 2 }) : createSilentLogger();
    const report = await runEval(cases, files, { ...source, overrides }, log);
    io.out(values.json ? JSON.stringify(report, null, 2) : renderReport(report));
    const short =
      (minRecall !== undefined && report.malicious.cases > 0 && report.recall < minRecall) ||
      (maxFp !== undefined && report.benign.cases > 0 && report.falsePositiveRate > maxFp);
    return short ? EXIT.CHECK_FAILED : EXIT.OK;
  },
};

/** `talon replay FILE`: run a corpus of frames through the real pipeline and report each case. */
import { EXIT, TalonError, defineCommand } from "@talon/sdk";
import { runReplayFile } from "./runner.ts";

const USAGE = `Usage: talon replay FILE [--json]

Run the frames of a replay corpus (the seed's replay-basic or session-routing format, optionally
wrapped with {"talon": {"config": {...}, "plugins": ["path", ...]}}) through a host without a
gateway: extraction, the session scheduler, every loaded detector, the policy and the observers.
Prints PASS or FAIL per case and a summary line; exits 0 when every case passes, 7 otherwise.`;

/** `talon replay FILE`. */
export const replayCommand = defineCommand({
  path: ["replay"],
  summary: "replay a corpus of frames through the defender and check each decision",
  usage: USAGE,
  options: { json: { type: "boolean" } },
  async run({ values, positionals }, io) {
    const file = positionals[0];
    if (file === undefined) throw new TalonError("TALON_CLI_USAGE", `missing FILE\n\n${USAGE}`);
    const report = await runReplayFile(file, { cwd: io.cwd, withHost: (options, body) => io.withHost(options, body) });
    if (values.json) {
      io.out(JSON.stringify(report, null, 2));
    } else {
      for (const item of report.cases) io.out(`${item.pass ? "PASS" : "FAIL"} ${item.name}: ${item.detail}`);
      io.out(`replay ${report.file}: ${report.cases.length} cases, ${report.passed} passed, ${report.failed} failed`);
    }
    return report.failed === 0 && report.cases.length > 0 ? EXIT.OK : EXIT.CHECK_FAILED;
  },
});

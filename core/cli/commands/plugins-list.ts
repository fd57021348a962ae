/** `talon plugins list`: load every configured plugin (without serving) and show what loaded. */
import { createHost } from "../../host.ts";
import { createSilentLogger } from "../../log.ts";
import { parseFlags, type Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";
import { renderTable } from "@talon/sdk";

const USAGE = `Usage: talon plugins list [--config FILE] [--json]

Load the plugins the config names (bundled, paths, npm packages), run their setup, and list
name, version, source, status and load/setup time. Nothing is served.`;

export const pluginsListCommand: Command = {
  path: ["plugins", "list"],
  summary: "list plugins with version, source and load time",
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(argv, { config: { type: "string" }, json: { type: "boolean" } }, USAGE);
    if (values.help) {
      io.out(USAGE);
      return EXIT.OK;
    }
    const host = await createHost({
      config: { file: values.config as string | undefined, env: io.env, cwd: io.cwd },
      gateway: false,
      log: createSilentLogger(),
    });
    await host.start();
    try {
      if (values.json) {
        io.out(JSON.stringify(host.plugins, null, 2));
      } else {
        const rows = host.plugins.map((p) => [
          p.name,
          p.version,
          p.source,
          p.status + (p.error ? ` (${p.error})` : ""),
          `${p.loadMs.toFixed(1)} ms`,
          `${p.setupMs.toFixed(1)} ms`,
        ]);
        io.out(renderTable(["NAME", "VERSION", "SOURCE", "STATUS", "LOAD", "SETUP"], rows));
      }
    } finally {
      await host.stop();
    }
    return EXIT.OK;
  },
};

// The same settings as TypeScript, type-checked by defineConfig. Load with --config or name it
// talon.config.ts in the working directory.
import { defineConfig } from "@talon/sdk";

export default defineConfig({
  gateway: { server: { bind: "127.0.0.1:18789" } },
  runtime: { audit_only: false },
  security: { review_threshold: 35, block_threshold: 65 },
  plugins: {
    load: ["../detector-keyword"],
    entries: { "detector-keyword": { config: { words: { "project-phoenix": 70 } } } },
  },
});

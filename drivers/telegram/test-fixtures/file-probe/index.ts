// A test plugin that hands its channel API to the test (host.use), as any plugin that fetches
// inbound files on demand would use it.
import { definePlugin } from "@talon/sdk";

export default definePlugin({
  name: "telegram-file-probe",
  version: "0.0.0",
  setup(ctx) {
    ctx.expose({ channels: ctx.channels });
  },
});

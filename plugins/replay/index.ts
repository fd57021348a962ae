/**
 * replay: `talon replay FILE` runs a corpus of frames (the seed's replay and session-routing
 * formats) through a host without a gateway and checks each decision. The plugin taps nothing
 * at run time: it only contributes the command, which borrows a host through `ctx.withHost`.
 */
import { definePlugin } from "@talon/sdk";
import { replayCommand } from "./command.ts";

export default definePlugin({
  name: "replay",
  version: "0.1.0",
  description: "`talon replay FILE`: replay a corpus of frames through the defender and check each decision.",
  hostRange: "^0.1.0",
  commands: [replayCommand],
  setup() {},
});

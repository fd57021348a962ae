/**
 * The generic extractor (seed-defender §2): frame → one ActionInput. Root selection,
 * the seed's recursive key search for the primary fields, and the admission rule are the seed's;
 * every text field is collected too, and channels are never guessed (see channel.ts).
 *
 * The frame-extract plugin taps it on `extract` at STAGE.HOST_POLICY. Taps at an earlier stage
 * that push actions for a frame replace it (a plugin with a more precise extractor for one event);
 * taps at later stages add actions.
 */
import { KNOWN_CHANNELS, STAGE, type ActionInput, type ExtractInput, type FrameContext, type HookFacades } from "@talon/sdk";
import { MODEL_ID_SEARCH, channelFrom, channelSearches, modelFrom, type ChannelLookup } from "./channel.ts";
import { collectFields } from "@talon/sdk";
import { COMMAND_KEYS, FILE_KEYS, ID_KEYS, PROMPT_KEYS, SESSION_KEYS, TOOL_KEYS, URL_KEYS } from "@talon/sdk";
import { rootRole } from "@talon/sdk";
import { routingOf } from "./routing.ts";
import { findFirstOf } from "./search.ts";

/** The frame's `payload` if the key exists (even null), else `params`, else the frame (seed §2.2). */
export function selectRoot(frame: Record<string, unknown>): unknown {
  if (Object.hasOwn(frame, "payload")) return frame.payload;
  if (Object.hasOwn(frame, "params")) return frame.params;
  return frame;
}

/** Extract the action a frame carries, or `undefined` when it carries none (seed §2.5). `channels`: which ids are channels. */
export function extractAction(
  frame: Record<string, unknown>,
  context: Pick<FrameContext, "event" | "method">,
  channels: ChannelLookup = KNOWN_CHANNELS,
): ActionInput | undefined {
  const root = selectRoot(frame);
  const searches = channelSearches(channels);
  if (typeof root !== "object" || root === null) return undefined;
  // An array root declares nothing itself; its message objects still do (collectFields).
  const role = Array.isArray(root) ? "user" : rootRole(root as Record<string, unknown>, context.event ?? context.method);
  const collected = collectFields(root, role);
  // Every key search of the action in one walk of the frame (see search.ts).
  const found = findFirstOf(root, [
    { keys: PROMPT_KEYS },
    { keys: COMMAND_KEYS },
    { keys: URL_KEYS },
    { keys: FILE_KEYS },
    { keys: SESSION_KEYS },
    { keys: ID_KEYS },
    { keys: TOOL_KEYS },
    searches.channel,
    searches.modelProvider,
    MODEL_ID_SEARCH,
  ]);
  const [prompt, scalarCommand, url, filePath, sessionKey, id, tool, channelHit, modelProvider, modelId] = found.values;
  // Without a scalar command, an argument vector (`commandArgv`) stands for it.
  const command = scalarCommand ?? collected.fields.find((field) => field.kind === "command")?.value;
  const actionable =
    prompt !== undefined ||
    command !== undefined ||
    url !== undefined ||
    filePath !== undefined ||
    collected.fields.some((field) => field.kind !== "text");
  if (!actionable) return undefined;
  const channel = channelFrom(channelHit, context.event ?? context.method, channels);
  const model = modelFrom(modelProvider, modelId);
  const input: ActionInput = {
    id: id ?? "unknown",
    role,
    fields: collected.fields,
    routing: routingOf(root, channel, sessionKey, channels),
    raw: root,
  };
  if (sessionKey !== undefined) input.sessionKey = sessionKey;
  if (prompt !== undefined) input.prompt = prompt;
  if (command !== undefined) input.command = command;
  if (url !== undefined) input.url = url;
  if (filePath !== undefined) input.filePath = filePath;
  if (tool !== undefined) input.tool = tool;
  if (channel !== undefined) input.channel = channel;
  if (model) input.model = model;
  // What the node budget cut off was not searched nor scanned.
  if (collected.truncated || found.truncated) input.truncated = true;
  return input;
}

/** Frame kinds the generic extractor reads: events, requests no handler took (bridge), and untyped JSON. */
const EXTRACTED_KINDS = ["event", "req", "unknown"] as const;

/** Register the generic extractor as an `extract` tap. */
export function registerDefaultExtractor(hooks: HookFacades, channels: ChannelLookup = KNOWN_CHANNELS): void {
  hooks.extract.tap({ stage: STAGE.HOST_POLICY, filter: { frameType: [...EXTRACTED_KINDS] } }, (input: ExtractInput, sink) => {
    if (sink.actions.length > 0) return;
    const action = extractAction(input.frame, input.context, channels);
    if (action) sink.push(action);
  });
}

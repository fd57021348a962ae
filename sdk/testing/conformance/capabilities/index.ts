/**
 * Optional capabilities, one module each: a declared capability must be proven on the platform
 * (the fake shows what it observed), an undeclared one must be refused by the core with
 * TALON_CHANNEL_NOT_SUPPORTED.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { DriverCapabilities } from "../../../driver.ts";
import type { Suite } from "../suite.ts";
import { delete as deleteCapability } from "./delete.ts";
import { edit } from "./edit.ts";
import { media } from "./media.ts";
import { polls } from "./polls.ts";
import { reactions } from "./reactions.ts";
import { threads } from "./threads.ts";
import { typing } from "./typing.ts";

/** A message the bot sent, to act on. */
export type Ref = { chatId: string; messageId: string };

/** What the fake observed, asserted to exist when the capability is declared. */
export type Observed = <T>(name: string, list: (() => T[]) | undefined) => T[];

/** One capability's checks: prove it works, or attempt it (to see the core refuse it). */
export type CapabilityCheck = (s: Suite, observed: Observed) => { prove(ref: Ref): Promise<void>; attempt(ref: Ref): Promise<unknown> };

export const CAPABILITY_NAMES = [
  "edit",
  "delete",
  "reactions",
  "typing",
  "polls",
  "threads",
  "media",
] as const satisfies readonly (keyof DriverCapabilities)[];

const CHECKS: Record<(typeof CAPABILITY_NAMES)[number], CapabilityCheck> = {
  edit,
  delete: deleteCapability,
  reactions,
  typing,
  polls,
  threads,
  media,
};

/** Register one test per capability: proof when declared, refusal when not. */
export function registerCapabilities(s: Suite): void {
  const observed: Observed = (name, list) => {
    assert.ok(list, `the driver declares ${name}: the fake platform must expose what it observed to prove it`);
    return list.call(s.fake());
  };
  const sentRef = async (): Promise<Ref> => {
    const chatId = await s.chat("chat");
    const result = await s.send(chatId, `capability check ${s.unique("text")}`);
    return { chatId, messageId: result.messageId as string };
  };
  for (const name of CAPABILITY_NAMES) {
    const check = CHECKS[name](s, observed);
    if (s.capabilities[name] === true) {
      test(`capability ${name}: declared, and proven on the platform`, async () => check.prove(await sentRef()));
    } else {
      test(`capability ${name}: not declared, so the core refuses it`, async () => {
        await assert.rejects(check.attempt(await sentRef()), (error: { code?: string }) => error.code === "TALON_CHANNEL_NOT_SUPPORTED");
      });
    }
  }
}

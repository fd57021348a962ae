/**
 * Hand Talon's host to `@talon/sdk/testing`: `node --import <talon>/core/testing/register.ts
 * --test ...` (scripts/run-tests.mjs does this for every suite). Plugin and driver tests then use
 * only the kit, as a third party's would.
 */
import { provideTestHost } from "@talon/sdk/testing";
import { talonTestHost } from "./test-host.ts";

provideTestHost(talonTestHost);

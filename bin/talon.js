#!/usr/bin/env node
// Runs Talon's TypeScript sources directly: tsx registers a loader so the host, the bundled
// plugins and any TypeScript plugin share one module graph, with no build step.
import { register } from "tsx/esm/api";

register();
await import("../core/cli/run.ts");

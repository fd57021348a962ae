/** tool-params' config (`plugins.entries.tool-params.config`). */
import { z } from "zod";

export const configSchema = z
  .strictObject({
    /** Risk points per security-lowering param (35 = review; two of them block). */
    score: z.number().int().min(0).max(255).default(40),
    /** Most points all such params of one call add. */
    max_score: z.number().int().min(0).max(255).default(120),
  })
  .prefault({});

/** tool-params' validated config. */
export type ToolParamsConfig = z.output<typeof configSchema>;

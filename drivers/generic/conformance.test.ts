// The bundled generic driver passes the shared conformance suite against a signed-webhook endpoint.
import { fileURLToPath } from "node:url";
import { testChannelDriver } from "@talon/sdk/testing";
import { createGenericEndpoint } from "./fakes/generic-endpoint.ts";

await testChannelDriver({
  driver: fileURLToPath(new URL("../../drivers/generic/index.ts", import.meta.url)),
  fake: () => createGenericEndpoint(),
});

// The bundled generic driver passes the shared conformance suite against a signed-webhook endpoint.
import { testChannelDriver } from "@talon/sdk/testing";
import { createGenericEndpoint } from "./fake.ts";

await testChannelDriver({
  driver: new URL("./index.ts", import.meta.url),
  fake: () => createGenericEndpoint(),
});

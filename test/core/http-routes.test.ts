import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { createSilentLogger } from "../../core/log.ts";
import { HttpRoutes } from "../../core/http/routes.ts";

test("a route that throws answers 500 without the exception's text, and the server keeps serving", async () => {
  const routes = new HttpRoutes(createSilentLogger());
  routes.register(
    {
      method: "GET",
      path: "/boom",
      handler: () => {
        throw new Error("db password is hunter2");
      },
    },
    "leaky",
  );
  routes.register({ method: "GET", path: "/ok", handler: (_request, response) => void response.end("fine") }, "leaky");
  const server = createServer((request, response) => void routes.handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const failed = await fetch(`${base}/boom`);
    assert.equal(failed.status, 500);
    const body = (await failed.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "INTERNAL");
    assert.match(body.error.message, /internal error in leaky/);
    assert.doesNotMatch(JSON.stringify(body), /hunter2/);
    assert.equal(await (await fetch(`${base}/ok`)).text(), "fine");
  } finally {
    server.close();
  }
});

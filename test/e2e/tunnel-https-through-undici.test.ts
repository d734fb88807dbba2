// A Node program using the tunnel the normal way: undici's ProxyAgent to an HTTPS service. The
// client's own TLS runs inside the tunnel and verifies the service's certificate end to end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetch, ProxyAgent } from "undici";
import { testPki } from "../helpers/pki.ts";
import { startHttpsService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

describe("undici ProxyAgent through the tunnel to an HTTPS service", () => {
  let nodes: TwoNodes;
  let service: TestService;
  let ca: string;
  beforeAll(async () => {
    const pki = await testPki();
    ca = pki.ca.cert;
    service = await startHttpsService(pki.service.cert, pki.service.key);
    nodes = await startTwoNodes();
  });
  afterAll(async () => {
    await nodes.close();
    await service.close();
  });

  it("fetches over TLS inside the tunnel, verifying the service's certificate", async () => {
    const dispatcher = new ProxyAgent({ uri: `http://127.0.0.1:${nodes.ingressPort}`, requestTls: { ca } });
    try {
      const response = await fetch(`https://localhost:${service.port}/inside`, { dispatcher });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("secure hello from /inside");
    } finally {
      await dispatcher.close();
    }
  });

  it("fails when the client does not trust the service's certificate (no TLS interception)", async () => {
    const dispatcher = new ProxyAgent({ uri: `http://127.0.0.1:${nodes.ingressPort}` });
    try {
      await expect(fetch(`https://localhost:${service.port}/untrusted`, { dispatcher })).rejects.toThrow();
    } finally {
      await dispatcher.close();
    }
  });

  it("works through an HTTPS-proxy listener too (TLS inside TLS)", async () => {
    const pki = await testPki();
    const secured = await startTwoNodes({ ingressListenerTls: pki.peer });
    const dispatcher = new ProxyAgent({
      uri: `https://localhost:${secured.ingressPort}`,
      proxyTls: { ca },
      requestTls: { ca },
    });
    try {
      const response = await fetch(`https://localhost:${service.port}/double`, { dispatcher });
      expect(await response.text()).toBe("secure hello from /double");
    } finally {
      await dispatcher.close();
      await secured.close();
    }
  });
});

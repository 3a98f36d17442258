import { afterEach, describe, expect, it } from "vitest";
import { clearFaults, injectFaults } from "../support/database";
import { liveApp } from "../support/live-app";
import { bearer, token } from "../support/tokens";

afterEach(() => clearFaults());

const json = { "Content-Type": "application/json" };

describe("the logging contract", () => {
  it("gives every line the request id and never logs tokens, Authorization or bodies", async () => {
    const { request, raw, lines, database } = await liveApp();
    const t = await token();
    const secretSku = "SECRET-SKU-42";
    await request("/v1/orders", {
      method: "POST",
      headers: { ...bearer(t), ...json, "X-Request-Id": "req-a" },
      body: JSON.stringify({ currency: "USD", items: [{ sku: secretSku, quantity: 1, unit_price: 1 }] }),
    });
    await request("/v1/orders", {
      method: "POST",
      headers: { ...bearer(t), ...json, "X-Request-Id": "req-b" },
      body: "{bad",
    });
    await injectFaults({ status: 500, database });
    await request("/v1/orders", { headers: { ...bearer(t), "X-Request-Id": "req-c" } });
    await request("/v1/orders", { headers: { Authorization: "Bearer not.a.token", "X-Request-Id": "req-d" } });

    expect(lines.length).toBeGreaterThan(4);
    for (const line of lines) expect(["req-a", "req-b", "req-c", "req-d"]).toContain(line.request_id);
    const all = raw.join("\n");
    expect(all).not.toContain(t);
    expect(all).not.toContain("not.a.token");
    expect(all).not.toContain(secretSku);
    expect(all).not.toMatch(/authorization/i);
    expect(lines.some((l) => l.request_id === "req-c" && l.level === "error" && l.code === "SERVICE_UNAVAILABLE")).toBe(
      true,
    );
  });
});

import { describe, expect, it } from "vitest";
import { DOCS_CSP, INLINE_SCRIPT } from "../../src/handlers/docs-routes";
import { testApp } from "../support/test-app";

describe("the API reference page", () => {
  it("allows its one inline script by the script's own hash, and nothing from another host", async () => {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(INLINE_SCRIPT));
    const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
    expect(DOCS_CSP).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(DOCS_CSP).toMatch(/^default-src 'none';/);
    expect(DOCS_CSP).not.toMatch(/https?:|\*|unsafe-eval/);
  });

  it("is served with that policy, and its inline script is exactly the hashed one", async () => {
    const res = await testApp().app.request("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Security-Policy")).toBe(DOCS_CSP);
    expect(await res.text()).toContain(`<script>${INLINE_SCRIPT}</script>`);
  });
});

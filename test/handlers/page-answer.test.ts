import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/app-env";
import type { CursorCodec } from "../../src/handlers/cursor";
import { orderJson } from "../../src/handlers/order-json";
import { pageAnswer, renderedPageAnswer } from "../../src/handlers/page-answer";
import { newOrder } from "../support/order-repository-contract";
import { renderedPage } from "../support/orders";

const scope = { caller: { id: "c", issuer: "" } };
/** A cursor that names its position (the real one seals it with a fresh IV each time). */
const cursors: CursorCodec = {
  encode: async ({ createdAt, id }) => `${createdAt.toISOString()}/${id}`,
  decode: async () => {
    throw new Error("no cursor is sent");
  },
};

describe("a listing's answer", () => {
  it("is the same bytes and headers whether the worker renders the page or the database did", async () => {
    const orders = [newOrder("c"), newOrder("c")];
    const next = { createdAt: orders[1]?.createdAt as Date, id: orders[1]?.id as string };
    const app = new Hono<AppEnv>()
      .get("/mapped", (c) =>
        pageAnswer(c, cursors, scope, { limit: 2 }, async () => ({ items: orders, next }), orderJson),
      )
      .get("/rendered", (c) =>
        renderedPageAnswer(c, cursors, scope, { limit: 2 }, async () => renderedPage(orders, { next })),
      );
    const [mapped, rendered] = await Promise.all([app.request("/mapped"), app.request("/rendered")]);
    expect(rendered.status).toBe(mapped.status);
    expect([...rendered.headers]).toEqual([...mapped.headers]);
    const body = await rendered.text();
    expect(body).toBe(await mapped.text());
    expect(JSON.parse(body).page).toEqual({ limit: 2, next_cursor: `${next.createdAt.toISOString()}/${next.id}` });
  });
});

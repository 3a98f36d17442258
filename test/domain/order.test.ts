import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/app-error";
import { canTransition, ORDER_STATUSES, priceItems, statusesLeadingTo } from "../../src/domain/order";

describe("status machine", () => {
  const allowed = new Set(["pending>paid", "paid>shipped", "pending>cancelled", "paid>cancelled"]);
  for (const from of ORDER_STATUSES) {
    for (const to of ORDER_STATUSES) {
      it(`${from} → ${to} is ${allowed.has(`${from}>${to}`) ? "allowed" : "refused"}`, () => {
        expect(canTransition(from, to)).toBe(allowed.has(`${from}>${to}`));
      });
    }
  }

  it("knows which statuses lead to each target", () => {
    expect(statusesLeadingTo("cancelled")).toEqual(["pending", "paid"]);
    expect(statusesLeadingTo("paid")).toEqual(["pending"]);
    expect(statusesLeadingTo("shipped")).toEqual(["paid"]);
    expect(statusesLeadingTo("pending")).toEqual([]);
  });
});

describe("priceItems", () => {
  it("computes line totals and the order total in minor units", () => {
    expect(
      priceItems([
        { sku: "A", quantity: 3, unitPrice: 333 },
        { sku: "B", quantity: 1, unitPrice: 0 },
      ]),
    ).toEqual({
      items: [
        { sku: "A", quantity: 3, unitPrice: 333, lineTotal: 999 },
        { sku: "B", quantity: 1, unitPrice: 0, lineTotal: 0 },
      ],
      total: 999,
    });
  });

  it("holds the largest order the contract allows exactly", () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ sku: `S${i}`, quantity: 1000, unitPrice: 100_000_000 }));
    expect(priceItems(items).total).toBe(10_000_000_000_000);
  });

  it.each([
    ["no items", [], "items"],
    ["101 items", Array.from({ length: 101 }, () => ({ sku: "A", quantity: 1, unitPrice: 1 })), "items"],
    ["quantity 0", [{ sku: "A", quantity: 0, unitPrice: 1 }], "items.0.quantity"],
    ["quantity 1001", [{ sku: "A", quantity: 1001, unitPrice: 1 }], "items.0.quantity"],
    ["quantity 1.5", [{ sku: "A", quantity: 1.5, unitPrice: 1 }], "items.0.quantity"],
    ["a negative price", [{ sku: "A", quantity: 1, unitPrice: -1 }], "items.0.unit_price"],
    ["a price over the limit", [{ sku: "A", quantity: 1, unitPrice: 100_000_001 }], "items.0.unit_price"],
    ["a fractional price", [{ sku: "A", quantity: 1, unitPrice: 0.5 }], "items.0.unit_price"],
    [
      "a bad second item",
      [
        { sku: "A", quantity: 1, unitPrice: 1 },
        { sku: "B", quantity: 0, unitPrice: 1 },
      ],
      "items.1.quantity",
    ],
  ])("refuses %s, naming the field", (_label, items, path) => {
    const messages: Record<string, string> = {
      items: "must have 1 to 100 items",
      quantity: "must be an integer from 1 to 1000",
      unit_price: "must be an integer from 0 to 100000000",
    };
    const err = (() => {
      try {
        priceItems(items);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: "VALIDATION_ERROR",
      message: "the order is invalid",
      fields: [{ path, message: messages[path.split(".").at(-1) ?? ""] }],
    });
  });

  it("accepts the edges of every limit", () => {
    const edges = [
      { sku: "A", quantity: 1, unitPrice: 0 },
      { sku: "B", quantity: 1000, unitPrice: 100_000_000 },
    ];
    expect(priceItems(edges).total).toBe(100_000_000_000);
    expect(priceItems(Array.from({ length: 100 }, () => ({ sku: "A", quantity: 1, unitPrice: 1 }))).total).toBe(100);
  });
});

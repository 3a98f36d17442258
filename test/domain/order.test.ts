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

  it("refuses totals beyond what JSON numbers hold exactly", () => {
    const err = (() => {
      try {
        priceItems([
          { sku: "A", quantity: 1, unitPrice: Number.MAX_SAFE_INTEGER },
          { sku: "B", quantity: 1, unitPrice: 1 },
        ]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "VALIDATION_ERROR" });
    expect(() => priceItems([{ sku: "A", quantity: 2, unitPrice: Number.MAX_SAFE_INTEGER }])).toThrow(AppError);
  });
});

import { AppError } from "./app-error";

export const ORDER_STATUSES = ["pending", "paid", "shipped", "cancelled"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const CURRENCIES = ["USD", "EUR", "GBP"] as const;
export type Currency = (typeof CURRENCIES)[number];

/** Limits of the contract (API.md), shared by validation, the domain and the schema's CHECKs. */
export const LIMITS = {
  itemsPerOrder: 100,
  quantity: 1000,
  unitPrice: 100_000_000,
  skuLength: 64,
} as const;

export interface OrderItem {
  sku: string;
  quantity: number;
  /** Minor units (cents). */
  unitPrice: number;
  lineTotal: number;
}

export interface Order {
  id: string;
  customerId: string;
  /** Whose subject customerId is: "" for this service's own tokens, a provider's `iss` (domain/caller.ts). */
  customerIssuer: string;
  status: OrderStatus;
  currency: Currency;
  /** Present when loaded with items; lists leave them out unless asked. */
  items?: OrderItem[];
  itemCount: number;
  total: number;
  /** Optimistic-concurrency counter; the ETag is derived from it. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** `pending → paid → shipped`; `pending|paid → cancelled`. Nothing else. */
const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ["paid", "cancelled"],
  paid: ["shipped", "cancelled"],
  shipped: [],
  cancelled: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses an order may be in to move to `to`: the guard of a conditional update. */
export function statusesLeadingTo(to: OrderStatus): OrderStatus[] {
  return ORDER_STATUSES.filter((from) => canTransition(from, to));
}

/**
 * Line totals and the order total in integer minor units, for items within the contract's LIMITS
 * (checked here too, so no caller can get past them). Within them the largest total is
 * 100 × 1000 × 100000000 = 10^13, far below 2^53: money is never rounded.
 */
export function priceItems(items: readonly { sku: string; quantity: number; unitPrice: number }[]): {
  items: OrderItem[];
  total: number;
} {
  if (items.length < 1 || items.length > LIMITS.itemsPerOrder) {
    throw invalid("items", `must have 1 to ${LIMITS.itemsPerOrder} items`);
  }
  let total = 0;
  const priced = items.map((item, index) => {
    if (!isWhole(item.quantity, 1, LIMITS.quantity)) {
      throw invalid(`items.${index}.quantity`, `must be an integer from 1 to ${LIMITS.quantity}`);
    }
    if (!isWhole(item.unitPrice, 0, LIMITS.unitPrice)) {
      throw invalid(`items.${index}.unit_price`, `must be an integer from 0 to ${LIMITS.unitPrice}`);
    }
    const lineTotal = item.quantity * item.unitPrice;
    total += lineTotal;
    return { ...item, lineTotal };
  });
  return { items: priced, total };
}

const isWhole = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

function invalid(path: string, message: string): AppError {
  return new AppError("VALIDATION_ERROR", { message: "the order is invalid", fields: [{ path, message }] });
}

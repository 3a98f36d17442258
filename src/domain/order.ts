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
 * Line totals and the order total in integer minor units. Refuses a total that JSON numbers
 * (and so every client) cannot hold exactly, rather than rounding money.
 */
export function priceItems(items: readonly { sku: string; quantity: number; unitPrice: number }[]): {
  items: OrderItem[];
  total: number;
} {
  let total = 0;
  const priced = items.map((item, index) => {
    const lineTotal = item.quantity * item.unitPrice;
    if (!Number.isSafeInteger(lineTotal)) throw tooLarge(`items.${index}.unit_price`);
    total += lineTotal;
    return { ...item, lineTotal };
  });
  if (!Number.isSafeInteger(total)) throw tooLarge("items");
  return { items: priced, total };
}

function tooLarge(path: string): AppError {
  return new AppError("VALIDATION_ERROR", {
    message: "the order total is too large",
    fields: [{ path, message: "total exceeds the largest exact amount" }],
  });
}

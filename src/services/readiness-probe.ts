import type { AppError } from "../domain/app-error";

export type ReadinessResult = { ok: true } | { ok: false; reason: string; error?: AppError };

/** A dependency the service cannot serve without; /readyz asks each within a budget. */
export interface ReadinessProbe {
  check(budgetMs: number): Promise<ReadinessResult>;
}

import type { AppError } from "../domain/app-error";

export type ProbeResult = { ok: true } | { ok: false; reason: string; error?: AppError };

/** A dependency the service cannot serve without, asked within a budget. */
export interface ReadinessProbe {
  check(budgetMs: number): Promise<ProbeResult>;
}

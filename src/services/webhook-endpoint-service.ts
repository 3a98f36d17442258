import { AppError, validationError } from "../domain/app-error";
import { type Caller, requireAdmin } from "../domain/caller";
import type { OrderEventType } from "../domain/order-event";
import type { DeliveryAttempt, WebhookEndpoint } from "../domain/webhook-endpoint";
import { webhookUrlProblem } from "../domain/webhook-url";
import { type ListPosition, type Page, pageOf } from "./keyset-page";
import type { AttemptQuery, EndpointChangeResult, EndpointChanges, WebhookRepository } from "./webhook-repository";

/** How long a rotated-out secret still signs deliveries, so receivers switch without downtime. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;
/** Secrets retired within a day that still sign: each is one more signature on every delivery. */
export const MAX_PREVIOUS_SECRETS = 5;

/** Signing secrets: made, sealed for storage and opened for signing. Implemented in src/webhooks. */
export interface SigningSecrets {
  generate(): string;
  seal(plain: string): Promise<string>;
  open(sealed: string): Promise<{ plain: string; stale: boolean }>;
}

export interface EndpointInput {
  url: string;
  events: OrderEventType[];
  description?: string;
}

export interface EndpointUpdate {
  url?: string;
  events?: OrderEventType[];
  description?: string | null;
  disabled?: boolean;
}

export interface WebhookEndpointService {
  /** The new endpoint and its signing secret, shown this once. */
  create(caller: Caller, input: EndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string }>;
  list(caller: Caller, page: { limit: number; after?: ListPosition }): Promise<Page<WebhookEndpoint>>;
  get(caller: Caller, id: string): Promise<WebhookEndpoint>;
  update(caller: Caller, id: string, update: EndpointUpdate, expectedVersion?: number): Promise<WebhookEndpoint>;
  remove(caller: Caller, id: string, expectedVersion?: number): Promise<void>;
  /**
   * A new secret; the ones it retires keep signing for PREVIOUS_SECRET_TTL_MS each, unless
   * `expirePrevious` (a secret leaked: every old one stops at once).
   */
  rotateSecret(
    caller: Caller,
    id: string,
    expectedVersion?: number,
    expirePrevious?: boolean,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }>;
  /** An endpoint's attempts, newest first; only those with `outcome`, or of `eventId`, when given. */
  deliveries(caller: Caller, id: string, page: AttemptQuery): Promise<Page<DeliveryAttempt>>;
}

export interface WebhookEndpointServiceDeps {
  repository: WebhookRepository;
  secrets: SigningSecrets;
  /** Receivers on this machine (`http://127.0.0.1`) are accepted: local development and tests only. */
  allowLocalReceivers: boolean;
  now?: () => number;
  newId?: () => string;
}

const notFound = () => new AppError("NOT_FOUND", { message: "webhook endpoint not found" });

/** A change that did not happen: gone (404) or at another version (412). */
function changed(result: EndpointChangeResult): WebhookEndpoint {
  if (result.updated) return result.updated;
  if (!result.current) throw notFound();
  throw new AppError("PRECONDITION_FAILED");
}

type Deps = Required<WebhookEndpointServiceDeps>;

async function createEndpoint({ repository, secrets, now, newId }: Deps, { url, events, description }: EndpointInput) {
  const secret = secrets.generate();
  const at = new Date(Math.floor(now()));
  const endpoint: WebhookEndpoint = {
    id: newId(),
    url,
    description: description ?? null,
    events: [...new Set(events)],
    disabled: false,
    disabledReason: null,
    slowSince: null,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  const sealed = await secrets.seal(secret);
  await repository.createEndpoint({
    ...endpoint,
    secret: sealed,
    previousSecrets: [],
    failingSince: null,
    slowSince: null,
  });
  return { endpoint, secret };
}

/**
 * A new secret. Every secret it retires keeps signing for PREVIOUS_SECRET_TTL_MS from its own
 * retirement (at most MAX_PREVIOUS_SECRETS at once), so a receiver never sees a moment of failed
 * verification however often an admin rotates; `expirePrevious` (a leaked secret) ends them all now.
 */
async function rotate(
  { repository, secrets, now }: Deps,
  id: string,
  expectedVersion: number | undefined,
  expirePrevious: boolean,
) {
  const found = await repository.findEndpoint(id);
  if (!found) throw notFound();
  const secret = secrets.generate();
  const at = Math.floor(now());
  const retired = { secret: found.secret, expiresAt: new Date(at + PREVIOUS_SECRET_TTL_MS) };
  const stillSigning = found.previousSecrets.filter((p) => p.expiresAt.getTime() > at);
  const changes = {
    secret: await secrets.seal(secret),
    previousSecrets: expirePrevious ? [] : [retired, ...stillSigning].slice(0, MAX_PREVIOUS_SECRETS),
  };
  // Guarded by the version read: of two racing rotations, one fails rather than one losing its secret.
  const endpoint = changed(await repository.updateEndpoint(id, changes, expectedVersion ?? found.version));
  return { endpoint, secret };
}

export function createWebhookEndpointService(options: WebhookEndpointServiceDeps): WebhookEndpointService {
  const deps: Deps = { now: Date.now, newId: () => crypto.randomUUID(), ...options };
  const { repository } = deps;
  const checkUrl = (url: string) => {
    const problem = webhookUrlProblem(url, { allowLocal: deps.allowLocalReceivers });
    if (problem) throw validationError([{ path: "url", message: problem }]);
  };
  return {
    async create(caller, input) {
      requireAdmin(caller);
      checkUrl(input.url);
      return createEndpoint(deps, input);
    },

    async list(caller, { limit, after }) {
      requireAdmin(caller);
      return pageOf(await repository.listEndpoints({ limit: limit + 1, after }), limit, (e) => e.createdAt);
    },

    async get(caller, id) {
      requireAdmin(caller);
      const found = await repository.findEndpoint(id);
      if (!found) throw notFound();
      const { secret: _, previousSecrets: __, failingSince: ___, ...endpoint } = found;
      return endpoint;
    },

    async update(caller, id, update, expectedVersion) {
      requireAdmin(caller);
      if (update.url !== undefined) checkUrl(update.url);
      const changes: EndpointChanges = {
        ...update,
        ...(update.events ? { events: [...new Set(update.events)] } : {}),
        // Enabling again clears why it was disabled and starts its 5 days of failures afresh; disabling
        // by hand says who did it.
        ...(update.disabled === false ? { disabledReason: null, failingSince: null } : {}),
        ...(update.disabled === true ? { disabledReason: "disabled by an admin" } : {}),
      };
      return changed(await repository.updateEndpoint(id, changes, expectedVersion));
    },

    async remove(caller, id, expectedVersion) {
      requireAdmin(caller);
      changed(await repository.deleteEndpoint(id, expectedVersion));
    },

    async rotateSecret(caller, id, expectedVersion, expirePrevious = false) {
      requireAdmin(caller);
      return rotate(deps, id, expectedVersion, expirePrevious);
    },

    async deliveries(caller, id, { limit, ...filters }) {
      requireAdmin(caller);
      const rows = await repository.listAttempts(id, { ...filters, limit: limit + 1 });
      if (rows.length === 0 && !filters.after && !(await repository.findEndpoint(id))) throw notFound();
      return pageOf(rows, limit, (a) => a.attemptedAt);
    },
  };
}

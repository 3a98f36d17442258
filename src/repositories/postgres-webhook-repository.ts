import { and, arrayContains, desc, eq, getTableColumns, isNotNull, isNull, lte, max, ne, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { OrderEventType } from "../domain/order-event";
import type { DeliveryAttempt, WebhookEndpoint } from "../domain/webhook-endpoint";
import type { ListPosition } from "../services/keyset-page";
import type {
  AttemptQuery,
  EndpointChangeResult,
  EndpointChanges,
  LastAttempt,
  PageQuery,
  PreviousSecret,
  StoredEndpoint,
  WebhookRepository,
} from "../services/webhook-repository";
import type { Database } from "./database";
import { runQuery } from "./database-errors";
import { webhookAttempts, webhookEndpoints } from "./schema";

type EndpointRow = typeof webhookEndpoints.$inferSelect;
type AttemptRow = typeof webhookAttempts.$inferSelect;

const {
  secret: _s,
  previousSecret: _p,
  previousSecretExpiresAt: _e,
  previousSecrets: _l,
  failingSince: _f,
  ...publicColumns
} = getTableColumns(webhookEndpoints);

/** Columns kept from the public endpoint: its secrets, and the delivery state only the dispatcher reads. */
type SecretColumns = "secret" | "previousSecret" | "previousSecretExpiresAt" | "previousSecrets" | "failingSince";

function toEndpoint(row: Omit<EndpointRow, SecretColumns>): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events as OrderEventType[],
    disabled: row.disabled,
    disabledReason: row.disabledReason,
    slowSince: row.slowSince,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const toAttempt = (row: AttemptRow): DeliveryAttempt => ({
  ...row,
  eventType: row.eventType as OrderEventType,
  outcome: row.outcome as DeliveryAttempt["outcome"],
});

/** Newest first from a keyset position, as order lists page. */
const olderThan = (createdAt: AnyPgColumn, id: AnyPgColumn, after?: ListPosition) =>
  after ? sql`(${createdAt}, ${id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)` : undefined;

/** The change or delete's outcome, from the rows it touched and the row as it is after it (same transaction). */
const outcomeOf = (touched: unknown[], now: EndpointRow[]): EndpointChangeResult => {
  const current = now[0] ? toEndpoint(now[0]) : null;
  return { updated: touched.length > 0 ? current : null, current };
};

const guard = (id: string, expectedVersion?: number) =>
  and(
    eq(webhookEndpoints.id, id),
    expectedVersion === undefined ? undefined : eq(webhookEndpoints.version, expectedVersion),
  );

const endpointNow = (db: Database, id: string) => db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));

async function listEndpoints(db: Database, { limit, after }: PageQuery) {
  const rows = await runQuery("webhooks.list", () =>
    db
      .select(publicColumns)
      .from(webhookEndpoints)
      .where(olderThan(webhookEndpoints.createdAt, webhookEndpoints.id, after))
      .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id))
      .limit(limit),
  );
  return rows.map(toEndpoint);
}

async function updateEndpoint(db: Database, id: string, changes: EndpointChanges, expectedVersion?: number) {
  const [touched, now] = await runQuery("webhooks.update", () =>
    db.batch([
      db
        .update(webhookEndpoints)
        .set({ ...changeColumns(changes), version: sql`${webhookEndpoints.version} + 1`, updatedAt: sql`now()` })
        .where(guard(id, expectedVersion))
        .returning({ id: webhookEndpoints.id }),
      endpointNow(db, id),
    ]),
  );
  return outcomeOf(touched, now);
}

async function deleteEndpoint(db: Database, id: string, expectedVersion?: number) {
  const [now, touched] = await runQuery("webhooks.delete", () =>
    db.batch([
      endpointNow(db, id),
      db.delete(webhookEndpoints).where(guard(id, expectedVersion)).returning({ id: webhookEndpoints.id }),
    ]),
  );
  return outcomeOf(touched, now);
}

/** When the endpoint started failing: ended by a delivered attempt, begun by the first failed one (a skip is neither). */
function failingSinceUpdate(db: Database, attempt: DeliveryAttempt) {
  const endpoint = eq(webhookEndpoints.id, attempt.endpointId);
  if (attempt.outcome === "skipped") return [];
  if (attempt.outcome === "delivered") {
    return [
      db
        .update(webhookEndpoints)
        .set({ failingSince: null })
        .where(and(endpoint, isNotNull(webhookEndpoints.failingSince))),
    ];
  }
  return [
    db
      .update(webhookEndpoints)
      .set({ failingSince: attempt.attemptedAt })
      .where(and(endpoint, isNull(webhookEndpoints.failingSince))),
  ];
}

/** Only the newest attempt of an event at an endpoint can have a next one due: the older ones' is cleared. */
function supersededUpdate(db: Database, { id, endpointId, eventId }: DeliveryAttempt) {
  if (eventId === null) return [];
  return [
    db
      .update(webhookAttempts)
      .set({ nextAttemptAt: null })
      .where(
        and(
          eq(webhookAttempts.endpointId, endpointId),
          eq(webhookAttempts.eventId, eventId),
          ne(webhookAttempts.id, id),
          isNotNull(webhookAttempts.nextAttemptAt),
        ),
      ),
  ];
}

async function recordAttempt(db: Database, attempt: DeliveryAttempt, disable?: { reason: string }) {
  const disabling = disable
    ? [
        db
          .update(webhookEndpoints)
          .set({
            disabled: true,
            disabledReason: disable.reason,
            version: sql`${webhookEndpoints.version} + 1`,
            updatedAt: sql`now()`,
          })
          .where(and(eq(webhookEndpoints.id, attempt.endpointId), eq(webhookEndpoints.disabled, false))),
      ]
    : [];
  await runQuery("webhooks.record-attempt", () =>
    db.batch([
      db.insert(webhookAttempts).values(attempt),
      ...supersededUpdate(db, attempt),
      ...failingSinceUpdate(db, attempt),
      ...disabling,
    ]),
  );
}

async function attemptsMade(db: Database, eventId: string) {
  const rows = await runQuery("webhooks.attempts-made", () =>
    db
      .select({ endpointId: webhookAttempts.endpointId, attempts: max(webhookAttempts.attempt) })
      .from(webhookAttempts)
      .where(eq(webhookAttempts.eventId, eventId))
      .groupBy(webhookAttempts.endpointId),
  );
  return new Map(rows.map((r) => [r.endpointId, r.attempts ?? 0]));
}

async function lastAttempt(db: Database, eventId: string, endpointId: string): Promise<LastAttempt | null> {
  const [row] = await runQuery("webhooks.last-attempt", () =>
    db
      .select({
        attempt: webhookAttempts.attempt,
        outcome: webhookAttempts.outcome,
        nextAttemptAt: webhookAttempts.nextAttemptAt,
      })
      .from(webhookAttempts)
      .where(and(eq(webhookAttempts.eventId, eventId), eq(webhookAttempts.endpointId, endpointId)))
      .orderBy(desc(webhookAttempts.attempt))
      .limit(1),
  );
  return row ? { ...row, outcome: row.outcome as LastAttempt["outcome"] } : null;
}

/** Only a change is written: entering keeps the time it first entered; leaving clears it. */
async function markSlow(db: Database, id: string, since: Date | null) {
  const changes = since ? isNull(webhookEndpoints.slowSince) : isNotNull(webhookEndpoints.slowSince);
  await runQuery("webhooks.mark-slow", () =>
    db
      .update(webhookEndpoints)
      .set({ slowSince: since })
      .where(and(eq(webhookEndpoints.id, id), changes)),
  );
}

async function listAttempts(db: Database, endpointId: string, { limit, after, outcome, eventId }: AttemptQuery) {
  const rows = await runQuery("webhooks.attempts", () =>
    db
      .select()
      .from(webhookAttempts)
      .where(
        and(
          eq(webhookAttempts.endpointId, endpointId),
          outcome === undefined ? undefined : eq(webhookAttempts.outcome, outcome),
          eventId === undefined ? undefined : eq(webhookAttempts.eventId, eventId),
          olderThan(webhookAttempts.attemptedAt, webhookAttempts.id, after),
        ),
      )
      .orderBy(desc(webhookAttempts.attemptedAt), desc(webhookAttempts.id))
      .limit(limit),
  );
  return rows.map(toAttempt);
}

/** Drizzle implementation of the service's WebhookRepository; one round trip per method. */
export function createPostgresWebhookRepository(db: Database): WebhookRepository {
  return {
    async createEndpoint({ previousSecrets, ...endpoint }) {
      await runQuery("webhooks.create", () =>
        db.insert(webhookEndpoints).values({ ...endpoint, ...previousSecretColumns(previousSecrets) }),
      );
    },
    listEndpoints: (query) => listEndpoints(db, query),
    async findEndpoint(id) {
      const [row] = await runQuery("webhooks.find", () => endpointNow(db, id));
      return row
        ? ({
            ...toEndpoint(row),
            secret: row.secret,
            previousSecrets: previousSecretsOf(row),
            failingSince: row.failingSince,
          } satisfies StoredEndpoint)
        : null;
    },
    updateEndpoint: (id, changes, expectedVersion) => updateEndpoint(db, id, changes, expectedVersion),
    deleteEndpoint: (id, expectedVersion) => deleteEndpoint(db, id, expectedVersion),
    async subscribedEndpoints(type, happenedAt) {
      const rows = await runQuery("webhooks.subscribed", () =>
        db
          .select({ id: webhookEndpoints.id })
          .from(webhookEndpoints)
          .where(
            and(
              eq(webhookEndpoints.disabled, false),
              arrayContains(webhookEndpoints.events, [type]),
              lte(webhookEndpoints.createdAt, happenedAt),
            ),
          ),
      );
      return rows.map((r) => r.id);
    },
    recordAttempt: (attempt, disable) => recordAttempt(db, attempt, disable),
    markSlow: (id, since) => markSlow(db, id, since),
    listAttempts: (endpointId, query) => listAttempts(db, endpointId, query),
    attemptsMade: (eventId) => attemptsMade(db, eventId),
    lastAttempt: (eventId, endpointId) => lastAttempt(db, eventId, endpointId),
    async resealSecrets(id, { secret, previousSecrets }) {
      await runQuery("webhooks.reseal", () =>
        db
          .update(webhookEndpoints)
          .set({ secret, ...previousSecretColumns(previousSecrets) })
          .where(eq(webhookEndpoints.id, id)),
      );
    },
  };
}

/** The previous secrets of a row: its list, or the one previous secret a row of the version before 0015 has. */
function previousSecretsOf({
  previousSecrets,
  previousSecret,
  previousSecretExpiresAt,
}: EndpointRow): PreviousSecret[] {
  if (previousSecrets) return previousSecrets.map((p) => ({ secret: p.secret, expiresAt: new Date(p.expires_at) }));
  return previousSecret && previousSecretExpiresAt
    ? [{ secret: previousSecret, expiresAt: previousSecretExpiresAt }]
    : [];
}

/** The columns of a list of previous secrets; the newest also in the columns the version before 0015 reads. */
function previousSecretColumns(list: PreviousSecret[]) {
  const [newest] = list;
  return {
    previousSecrets: list.map((p) => ({ secret: p.secret, expires_at: p.expiresAt.toISOString() })),
    previousSecret: newest?.secret ?? null,
    previousSecretExpiresAt: newest?.expiresAt ?? null,
  };
}

/** Changes as columns: a new list of previous secrets goes to all three. */
function changeColumns({ previousSecrets, ...rest }: EndpointChanges) {
  return previousSecrets === undefined ? rest : { ...rest, ...previousSecretColumns(previousSecrets) };
}

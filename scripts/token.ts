/**
 * `npm run token -- --sub <uuid> [--role admin] [--ttl 3600] [--iss …] [--aud …]`
 * Prints an HS256 JWT for local use, signed with JWT_SECRET as `npm run dev` resolves it
 * (environment, then .dev.vars, then the development default). No third-party site needed.
 */

import { resolveSettings } from "../dev/settings.ts";
import { isUuid } from "../src/lib/uuid.ts";
import { cli } from "./cli.ts";
import { signToken } from "./smoke-checks.ts";

const USAGE = `usage: npm run token -- [--sub <uuid>] [--role customer|admin] [--ttl <seconds>] [--iss <issuer>] [--aud <audience>]

Prints an HS256 token signed with JWT_SECRET as npm run dev resolves it (environment, .dev.vars,
development default), for local use. --sub defaults to a new UUID, --role to customer, --ttl to 3600.`;

const { values } = cli(USAGE, {
  sub: { type: "string", default: crypto.randomUUID() },
  role: { type: "string", default: "customer" },
  ttl: { type: "string", default: "3600" },
  iss: { type: "string" },
  aud: { type: "string" },
});

if (!isUuid(values.sub)) {
  console.error("--sub must be a UUID (the customer id)");
  process.exit(2);
}
if (values.role !== "customer" && values.role !== "admin") {
  console.error("--role must be customer or admin");
  process.exit(2);
}
const settings = resolveSettings();
const secret = settings.JWT_SECRET;
if (!secret) {
  console.error("JWT_SECRET is not set");
  process.exit(2);
}
const now = Math.floor(Date.now() / 1000);
const payload = {
  sub: values.sub,
  role: values.role,
  iat: now,
  exp: now + Number(values.ttl),
  ...((values.iss ?? settings.JWT_ISSUER) ? { iss: values.iss ?? settings.JWT_ISSUER } : {}),
  ...((values.aud ?? settings.JWT_AUDIENCE) ? { aud: values.aud ?? settings.JWT_AUDIENCE } : {}),
};
console.log(await signToken(payload, secret));

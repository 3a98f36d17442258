/**
 * `npm run token -- --sub <uuid> [--role admin] [--ttl 3600] [--iss …] [--aud …]`
 * Prints an HS256 JWT for local use, signed with JWT_SECRET as `npm run dev` resolves it
 * (environment, then .dev.vars, then the development default). No third-party site needed.
 */

import { DEV_ALGORITHMS, type DevAlgorithm, devKeys } from "../dev/dev-keys.ts";
import { resolveSettings } from "../dev/settings.ts";
import { isUuid } from "../src/lib/uuid.ts";
import { cli } from "./cli.ts";
import { signToken } from "./smoke-checks.ts";

const USAGE = `usage: npm run token -- [--sub <uuid>] [--role customer|admin] [--ttl <seconds>] [--iss <issuer>] [--aud <audience>]
                      [--alg HS256|RS256|ES256|EdDSA]

Prints a token for local use. HS256 (the default) is signed with JWT_SECRET as npm run dev resolves it
(environment, .dev.vars, development default); RS256, ES256 and EdDSA as the local identity provider of
npm run dev signs them (.data/dev-keys.json; run npm run dev with JWT_MODES=hs256,jwks to accept them).
--sub defaults to a new UUID, --role to customer, --ttl to 3600; iss and aud come from the settings.`;

const { values } = cli(USAGE, {
  sub: { type: "string", default: crypto.randomUUID() },
  role: { type: "string", default: "customer" },
  ttl: { type: "string", default: "3600" },
  iss: { type: "string" },
  aud: { type: "string" },
  alg: { type: "string", default: "HS256" },
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
const alg = values.alg;
if (alg !== "HS256" && !(DEV_ALGORITHMS as readonly string[]).includes(alg)) {
  console.error(`--alg must be HS256 or one of ${DEV_ALGORITHMS.join(", ")}`);
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
if (alg === "HS256") {
  const secret = settings.JWT_SECRET;
  if (!secret) {
    console.error("JWT_SECRET is not set");
    process.exit(2);
  }
  console.log(await signToken(payload, secret));
} else {
  // As the local identity provider of `npm run dev` (JWT_MODES with jwks) signs: its key, its kid.
  console.log(await (await devKeys()).sign(alg as DevAlgorithm, payload));
}

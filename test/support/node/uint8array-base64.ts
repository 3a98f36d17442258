/**
 * The suites that run in Node rather than workerd (the mutation run, vitest.mutation.config.ts) meet
 * src/'s ES2026 Uint8Array base64 and hex methods, which workerd has and Node 22's V8 does not
 * (https://tc39.es/proposal-arraybuffer-base64/spec/). core-js brings them, and only where missing.
 */
import "core-js/stable/typed-array/from-base64";
import "core-js/stable/typed-array/from-hex";
import "core-js/stable/typed-array/to-base64";
import "core-js/stable/typed-array/to-hex";

/**
 * Copies the API reference page's script (Scalar, from node_modules) into public/docs/, where the
 * worker serves it as a static asset. Runs on `npm ci` / `npm install` (the `prepare` script).
 */
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("public/docs", { recursive: true });
copyFileSync("node_modules/@scalar/api-reference/dist/browser/standalone.js", "public/docs/scalar.js");
console.log("copied the API reference script to public/docs/scalar.js");

/** `npm run openapi`: writes public/openapi.json from the validating schemas (commit the result). */
import { writeFileSync } from "node:fs";
import { buildOpenApiDocument } from "../src/openapi/document";

writeFileSync("public/openapi.json", `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log("wrote public/openapi.json");

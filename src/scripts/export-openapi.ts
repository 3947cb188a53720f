import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openapiDocument } from './openapi-document.js';

/** `npm run openapi`: regenerates the committed contract, openapi/openapi.json. */
export const OPENAPI_PATH = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url));

writeFileSync(OPENAPI_PATH, await openapiDocument());
process.stdout.write(`wrote ${OPENAPI_PATH}\n`);

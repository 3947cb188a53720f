import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openapiDocument } from '../../src/scripts/openapi-document.js';

const COMMITTED = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url));

describe('openapi/openapi.json', () => {
  test('matches the document the route schemas generate', async () => {
    const generated = await openapiDocument();
    const committed = readFileSync(COMMITTED, 'utf8');
    if (generated !== committed) {
      const paths = (text: string): string[] => Object.keys((JSON.parse(text) as { paths: object }).paths);
      const added = paths(generated).filter((p) => !paths(committed).includes(p));
      const removed = paths(committed).filter((p) => !paths(generated).includes(p));
      throw new Error('openapi/openapi.json is out of date with the route schemas: run `npm run openapi` and commit the result.'
        + (added.length ? `\n  paths not yet committed: ${added.join(', ')}` : '')
        + (removed.length ? `\n  paths committed but gone: ${removed.join(', ')}` : ''));
    }
    expect(JSON.parse(generated)).toEqual(JSON.parse(committed));
  });
});

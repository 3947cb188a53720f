import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('migrations/', () => {
  test('match the schema: drizzle-kit, run on a copy of them, has no migration to add', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vh-migrations-'));
    try {
      cpSync(join(ROOT, 'migrations'), join(dir, 'migrations'), { recursive: true });
      // drizzle-kit reads `out` relative to the working directory.
      const config = { dialect: 'postgresql', schema: 'src/db/schema/index.ts', out: relative(ROOT, join(dir, 'migrations')), casing: 'snake_case' };
      writeFileSync(join(dir, 'drizzle.config.json'), JSON.stringify(config));
      const output = execFileSync(process.execPath, [join(ROOT, 'node_modules/drizzle-kit/bin.cjs'), 'generate', '--config', join(dir, 'drizzle.config.json')], { cwd: ROOT, encoding: 'utf8' });
      const added = readdirSync(join(dir, 'migrations')).filter((file) => !readdirSync(join(ROOT, 'migrations')).includes(file));
      expect(added).toEqual([]); // a change to src/db/schema wants `npm run db:generate`, committed
      expect(output).toContain('No schema changes');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { register } from 'tsx/esm/api';

export default async function globalTeardown() {
  const unregister = register();
  try {
    const { default: teardown } = await import('./teardown-database.ts');
    await teardown();
  } finally {
    await unregister();
  }
}

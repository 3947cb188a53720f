// Jest loads global setup with Node's own loader, which cannot resolve our TypeScript imports;
// tsx's loader can, so the real work lives in setup-database.ts.
import { register } from 'tsx/esm/api';

export default async function globalSetup() {
  const unregister = register();
  try {
    const { default: setup } = await import('./setup-database.ts');
    await setup();
  } finally {
    await unregister();
  }
}

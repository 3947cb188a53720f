import { ConfigError, loadConfig, trustedProxies } from '../../src/config.js';

describe('configuration', () => {
  test('defaults fill what the environment leaves unset', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.RATE_LIMIT_FAILED_KEYS_PER_MINUTE).toBe(30);
    expect(trustedProxies(config)).toBe(false);
  });

  test('a bad value stops the start with a message naming every bad variable', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', TRUST_PROXY: 'everyone', RATE_LIMIT_FAILED_KEYS_PER_MINUTE: '0' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const name of ['PORT', 'TRUST_PROXY', 'RATE_LIMIT_FAILED_KEYS_PER_MINUTE']) expect((error as Error).message).toContain(`  ${name}:`);
  });

  test('TRUST_PROXY lists the proxies believed about the client address, and nothing else', () => {
    expect(trustedProxies(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,::1' }))).toEqual(['10.0.0.1', '192.168.0.0/16', '::1']);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
  });
});

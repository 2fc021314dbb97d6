import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidSettingsError } from './settings.error';
import { loadAllSettings } from './settings';
import { loadSettings } from './load-settings';
import { GraphSettings } from './namespaces/graph.settings';
import {
  REFERENCE_BEGIN,
  REFERENCE_END,
  renderEnvExample,
  renderReferenceTable,
} from './reference';

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error: unknown) {
    if (error instanceof InvalidSettingsError) return error.message;
    throw error;
  }
  throw new Error('expected InvalidSettingsError');
}

describe('settings', () => {
  it('applies documented defaults when nothing is set', () => {
    const settings = loadAllSettings({});
    expect(settings.graph.backend).toBe('memory');
    expect(settings.graph.port).toBe(8182);
    expect(settings.app.port).toBe(3000);
    expect(settings.streaming.transport).toBe('auto');
    expect(settings.seeder.seed).toBe(42);
    expect(settings.app.corsOrigins).toEqual([]);
  });

  it('converts typed values from strings', () => {
    const graph = loadSettings(GraphSettings, { JANUSGRAPH_PORT: '9999', JANUSGRAPH_TLS: 'true' });
    expect(graph.port).toBe(9999);
    expect(graph.tls).toBe(true);
  });

  it('names the variable, the value and the rule for a non-numeric port', () => {
    const message = problemsOf(() => loadAllSettings({ JANUSGRAPH_PORT: 'abc' }));
    expect(message).toContain('JANUSGRAPH_PORT="abc"');
    expect(message).toContain('must be a whole number');
  });

  it('reports every bad variable at once', () => {
    const message = problemsOf(() =>
      loadAllSettings({ APP_PORT: '70000', GRAPH_BACKEND: 'neo4j', PULSAR_WEB_URL: 'ftp://x' }),
    );
    expect(message).toContain('APP_PORT="70000"');
    expect(message).toContain('GRAPH_BACKEND="neo4j": must be one of memory, janusgraph');
    expect(message).toContain('PULSAR_WEB_URL="ftp://x"');
    expect(message).toContain('3 problems');
  });

  it('refuses a fraud-ring hub cap above 1000, whose search work grows with its square', () => {
    expect(loadAllSettings({ DETECTORS_RING_HUB_CAP: '1000' }).detectors.ringHubCap).toBe(1000);
    const message = problemsOf(() => loadAllSettings({ DETECTORS_RING_HUB_CAP: '1000000' }));
    expect(message).toContain('DETECTORS_RING_HUB_CAP="1000000": must be at most 1000');
  });

  it('uses the development API keys outside production only', () => {
    expect(loadAllSettings({}).security.apiKeys).toContain('dev-analyst-key:analyst');
    const message = problemsOf(() => loadAllSettings({ NODE_ENV: 'production' }));
    expect(message).toContain('API_KEYS=(not set): is required when NODE_ENV=production');
  });

  it('refuses a development secret in production and never prints it', () => {
    const message = problemsOf(() =>
      loadAllSettings({ NODE_ENV: 'production', API_KEYS: 'dev-admin-key:admin' }),
    );
    expect(message).toContain('API_KEYS="***"');
    expect(message).toContain('known development value is not allowed');
    expect(message).not.toContain('dev-admin-key');
  });

  it('accepts real secrets in production', () => {
    const settings = loadAllSettings({
      NODE_ENV: 'production',
      API_KEYS: 'k3y-0123456789abcdef:admin',
      TOTP_ENCRYPTION_KEY: 'a1'.repeat(32),
    });
    expect(settings.security.apiKeys).toEqual(['k3y-0123456789abcdef:admin']);
    expect(settings.security.totpEncryptionKey).toBe('a1'.repeat(32));
  });

  it('refuses to start in production with authentication off, however it is written', () => {
    for (const off of ['false', '0', ' false ']) {
      const message = problemsOf(() =>
        loadAllSettings({
          NODE_ENV: 'production',
          API_KEYS: 'k3y-0123456789abcdef:admin',
          AUTH_ENABLED: off,
        }),
      );
      expect(message).toContain('AUTH_ENABLED');
      expect(message).toContain('must be true when NODE_ENV=production');
      expect(message).toContain('anonymous admin');
    }
    // Outside production a workstation may switch it off.
    expect(loadAllSettings({ AUTH_ENABLED: 'false' }).security.authEnabled).toBe(false);
  });

  it('refuses a wildcard CORS origin in production only', () => {
    const production = {
      NODE_ENV: 'production',
      API_KEYS: 'k3y-0123456789abcdef:admin',
      TOTP_ENCRYPTION_KEY: 'a1'.repeat(32),
    };
    const message = problemsOf(() =>
      loadAllSettings({ ...production, CORS_ORIGINS: 'https://bank.example,*' }),
    );
    expect(message).toContain('CORS_ORIGINS');
    expect(loadAllSettings({ CORS_ORIGINS: '*' }).app.corsOrigins).toEqual(['*']);
    expect(
      loadAllSettings({ ...production, CORS_ORIGINS: 'https://bank.example' }).app.corsOrigins,
    ).toEqual(['https://bank.example']);
  });

  it('names the variable in the rule without the property name of the class', () => {
    const message = problemsOf(() => loadAllSettings({ RATE_LIMIT_PER_IP: '0' }));
    expect(message).toContain('RATE_LIMIT_PER_IP="0": must be at least 1');
  });

  it('keeps .env.example and the README reference in step with the settings classes', () => {
    const root = join(__dirname, '..', '..', '..');
    expect(readFileSync(join(root, '.env.example'), 'utf8')).toBe(renderEnvExample());
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = readme.slice(
      readme.indexOf(REFERENCE_BEGIN) + REFERENCE_BEGIN.length,
      readme.indexOf(REFERENCE_END),
    );
    // Prettier may align the table; compare cell contents, not padding.
    const cells = (table: string): string =>
      table
        .trim()
        .replace(/ *\| */g, '|')
        .replace(/\|-+(?=\|)/g, '|---');
    expect(cells(block)).toBe(cells(renderReferenceTable()));
  });
});

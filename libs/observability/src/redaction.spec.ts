import pino from 'pino';
import { Writable } from 'node:stream';
import { REDACTED, REDACTED_PATHS, redactUrl } from './redaction';

describe('redactUrl', () => {
  it('replaces the value of every secret query parameter, whatever its case or encoding', () => {
    expect(redactUrl('/api/v1/graph/stats?api_key=s3cret&limit=5')).toBe(
      `/api/v1/graph/stats?api_key=${REDACTED}&limit=5`,
    );
    expect(redactUrl('/x?API_KEY=a&Token=b&%61pikey=c')).toBe(
      `/x?API_KEY=${REDACTED}&Token=${REDACTED}&%61pikey=${REDACTED}`,
    );
  });

  it('leaves other URLs as they are, broken encodings included', () => {
    expect(redactUrl('/api/v1/entities?label=Person')).toBe('/api/v1/entities?label=Person');
    expect(redactUrl('/health/live')).toBe('/health/live');
    expect(redactUrl('/x?%E0%A4%A=1')).toBe('/x?%E0%A4%A=1');
  });
});

describe('REDACTED_PATHS', () => {
  function logged(value: object): string {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    pino({ redact: { paths: [...REDACTED_PATHS], censor: REDACTED } }, sink).info(value, 'x');
    return lines.join('');
  }

  it('keeps names, birth dates, identifiers and keys of the vocabulary out of log lines', () => {
    const person = {
      label: 'Person',
      uid: 'person:p:1',
      props: { name: 'Alice Example', birthDate: '1980-02-03', nationality: 'DE' },
    };
    const line = logged({
      vertex: person,
      batch: { first: person },
      identifier: { props: { kind: 'email', value: 'alice@example.org' } },
      movement: { reference: 'rent Alice' },
      settings: { apiKey: 'k3y-0123456789abcdef' },
      req: { headers: { 'x-api-key': 'k3y-0123456789abcdef', authorization: 'Bearer k' } },
    });
    for (const secret of ['Alice', '1980-02-03', 'alice@example.org', 'k3y-0123456789abcdef']) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('person:p:1');
    expect(line).toContain(REDACTED);
  });

  it('keeps the name of an error visible', () => {
    expect(logged({ err: { name: 'TypeError', message: 'boom' } })).toContain('TypeError');
  });
});

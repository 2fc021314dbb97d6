/**
 * Query parameters whose values are secrets. The API refuses credentials in the query string
 * (they belong in a header), and the logs never show such a value: a refused request is logged
 * too. Names compare case-insensitively.
 */
export const SECRET_QUERY_PARAMETERS: ReadonlySet<string> = new Set([
  'api_key',
  'apikey',
  'api-key',
  'x-api-key',
  'access_token',
  'token',
  'password',
]);

export function isSecretQueryParameter(name: string): boolean {
  return SECRET_QUERY_PARAMETERS.has(name.toLowerCase());
}

export const REDACTED = '[redacted]';

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.split('+').join(' '));
  } catch {
    return raw;
  }
}

/** A request URL as it may be logged: the value of every secret query parameter replaced. */
export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  if (question < 0) return url;
  const query = url
    .slice(question + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      return isSecretQueryParameter(decodedName(name)) ? `${name}=${REDACTED}` : pair;
    });
  return `${url.slice(0, question + 1)}${query.join('&')}`;
}

/**
 * Personal fields of the vocabulary (libs/vocabulary records: Person, Company, Identifier,
 * Event, Movement) and contact fields, removed from any log line at the top level and up to
 * three levels down. `name` and `value` are personal only inside a vertex's `props` (an error's
 * `name` stays visible).
 */
const PERSONAL_FIELDS = [
  'birthDate',
  'nationality',
  'residence',
  'registrationNumber',
  'latitude',
  'longitude',
  'reference',
  'email',
  'phone',
  'accountNumber',
  'iban',
];
const PERSONAL_PROPS = ['props.name', 'props.value'];
const SECRET_FIELDS = ['password', 'apiKey', 'apiKeys', 'secret', 'otpauthUrl', 'stepUpToken'];

const atAnyLevel = (path: string): string[] => [path, `*.${path}`, `*.*.${path}`, `*.*.*.${path}`];

/** Paths whose values must never reach a log line (PII, account numbers, credentials). */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["x-step-up-token"]',
  'res.headers["x-step-up-token"]',
  'res.headers["set-cookie"]',
  ...[...PERSONAL_FIELDS, ...PERSONAL_PROPS, ...SECRET_FIELDS].flatMap(atAnyLevel),
];

/**
 * The web app's only door to the product: the public REST API under /api/v1, with the API key
 * the analyst signed in with (kept in sessionStorage, so it goes when the tab is closed).
 */
const KEY_STORAGE = 'gba.apiKey';
/**
 * The step-up token of POST /mfa/step-up, kept in sessionStorage until it expires and sent in
 * X-Step-Up-Token with every call (sensitive routes need it, the others ignore it).
 */
const STEP_UP_STORAGE = 'gba.stepUp';

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY_STORAGE, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY_STORAGE);
  sessionStorage.removeItem(STEP_UP_STORAGE);
}

interface StoredStepUp {
  token: string;
  expiresAt: string;
}

export function storedStepUpToken(now = Date.now()): string | null {
  const text = sessionStorage.getItem(STEP_UP_STORAGE);
  if (text === null) return null;
  try {
    const stored = JSON.parse(text) as StoredStepUp;
    if (Date.parse(stored.expiresAt) > now) return stored.token;
  } catch {
    // An unreadable entry is dropped below.
  }
  sessionStorage.removeItem(STEP_UP_STORAGE);
  return null;
}

export function storeStepUpToken(token: string, expiresAt: string): void {
  sessionStorage.setItem(STEP_UP_STORAGE, JSON.stringify({ token, expiresAt }));
}

export function forgetStepUpToken(): void {
  sessionStorage.removeItem(STEP_UP_STORAGE);
}

/** An error answer of the API ({ error, message, correlationId }), with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export type Query = Record<string, string | number | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

async function request(path: string, init: RequestInit, key: string | null): Promise<Response> {
  const headers = new Headers(init.headers);
  if (key !== null) headers.set('X-API-Key', key);
  const stepUp = storedStepUpToken();
  if (stepUp !== null) headers.set('X-Step-Up-Token', stepUp);
  const response = await fetch(`/api/v1${path}`, { ...init, headers });
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => undefined);
    const code = isRecord(body) && typeof body.error === 'string' ? body.error : 'http_error';
    const message =
      isRecord(body) && typeof body.message === 'string'
        ? body.message
        : `The API answered ${response.status}.`;
    throw new ApiError(response.status, code, message);
  }
  return response;
}

export async function getJson<T>(path: string, key: string | null = storedKey()): Promise<T> {
  const response = await request(path, { method: 'GET' }, key);
  return (await response.json()) as T;
}

async function sendJson<T>(method: 'POST' | 'PATCH', path: string, body: unknown): Promise<T> {
  const response = await request(
    path,
    {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    },
    storedKey(),
  );
  return (await response.json()) as T;
}

export function postJson<T>(path: string, body: unknown): Promise<T> {
  return sendJson('POST', path, body);
}

export function patchJson<T>(path: string, body: unknown): Promise<T> {
  return sendJson('PATCH', path, body);
}

/** The API asks for a recent second factor (403 step_up_required). */
export function needsStepUp(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403 && error.code === 'step_up_required';
}

export async function getBlob(path: string): Promise<Blob> {
  const response = await request(path, { method: 'GET' }, storedKey());
  return response.blob();
}

/** Offers a file to the browser's downloads (an object URL, released afterwards). */
export function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

export type Role = 'viewer' | 'analyst' | 'admin';

/**
 * The role of a key, from what the API lets it do (the API has no "who am I" route): any valid
 * key reads the graph statistics (401 otherwise), analysts and admins read alerts (403 for a
 * viewer), only admins list scan jobs.
 */
export async function probeRole(key: string): Promise<Role> {
  await getJson('/graph/stats', key);
  try {
    await getJson('/alerts?limit=1', key);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return 'viewer';
    throw error;
  }
  try {
    await getJson('/alerts/scan', key);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return 'analyst';
    throw error;
  }
  return 'admin';
}

export const ROLE_RANK: Record<Role, number> = { viewer: 0, analyst: 1, admin: 2 };

export function allows(role: Role, minimum: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minimum];
}

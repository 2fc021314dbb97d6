import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import type { JWK, JWTPayload, KeyLike } from 'jose';

export const LOCAL_AUDIENCE = 'graph-banking-api';

export interface LocalTokenOptions {
  /** Seconds since 1970 the token is issued at (default: now per `Date.now()`). */
  issuedAt?: number;
  /** Lifetime in seconds from `issuedAt` (default 300). */
  lifetimeSeconds?: number;
  issuer?: string;
  audience?: string;
  /** Sign with a key the JWKS does not publish (an unknown `kid`). */
  unpublishedKey?: boolean;
}

/**
 * An OpenID Connect issuer for tests: an RS256 key pair made on the fly, its public key served
 * as a JWKS on 127.0.0.1 (port chosen by the system), and tokens signed with it.
 */
export class LocalIssuer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly privateKey: KeyLike,
    private readonly unpublishedKey: KeyLike,
    private readonly served: { jwks: number },
  ) {}

  /** Requests the JWKS has answered (to see that keys are cached). */
  get jwksRequests(): number {
    return this.served.jwks;
  }

  static async start(): Promise<LocalIssuer> {
    const published = await generateKeyPair('RS256');
    const unpublished = await generateKeyPair('RS256');
    const jwk: JWK = {
      ...(await exportJWK(published.publicKey)),
      kid: 'key-1',
      alg: 'RS256',
      use: 'sig',
    };
    const served = { jwks: 0 };
    const server = createServer((request, response) => {
      if (request.url !== '/jwks') {
        response.writeHead(404).end();
        return;
      }
      served.jwks += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new LocalIssuer(
      server,
      `http://127.0.0.1:${port}`,
      published.privateKey,
      unpublished.privateKey,
      served,
    );
  }

  get jwksUrl(): string {
    return `${this.url}/jwks`;
  }

  /** A signed RS256 token with these claims (plus iss, aud, iat, exp). */
  async token(claims: JWTPayload, options: LocalTokenOptions = {}): Promise<string> {
    const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({
        alg: 'RS256',
        kid: options.unpublishedKey === true ? 'key-2' : 'key-1',
      })
      .setIssuer(options.issuer ?? this.url)
      .setAudience(options.audience ?? LOCAL_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + (options.lifetimeSeconds ?? 300))
      .sign(options.unpublishedKey === true ? this.unpublishedKey : this.privateKey);
  }

  /** The same claims with `alg: none` (no signature). */
  unsigned(claims: JWTPayload): string {
    const now = Math.floor(Date.now() / 1000);
    return new UnsecuredJWT(claims)
      .setIssuer(this.url)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .encode();
  }

  /** The same claims signed HS256 with a shared secret, naming the published key id. */
  async hs256(claims: JWTPayload, secret: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .setIssuer(this.url)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(new TextEncoder().encode(secret));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve, reject) =>
      this.server.close((error) => (error === undefined ? resolve() : reject(error))),
    );
  }
}

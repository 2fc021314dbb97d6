import type { DocumentBuilder, OpenAPIObject } from '@nestjs/swagger';
import { API_KEY_HEADER } from '../auth/api-keys';

/** Name of the API-key security scheme; controllers declare it with `@ApiSecurity`. */
export const API_KEY_SCHEME = 'api-key';
/** Name of the bearer scheme: the same keys, or an identity provider's access token. */
export const BEARER_SCHEME = 'bearer';

/** Both ways to authenticate, declared on the document builder. */
export function withSecuritySchemes(builder: DocumentBuilder): DocumentBuilder {
  return builder
    .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, API_KEY_SCHEME)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description:
          '`Authorization: Bearer <credential>`: an API key, or, when OIDC_ENABLED=true, an access ' +
          'token (JWT) from the configured identity provider. Roles come from the claim named by OIDC_ROLES_CLAIM.',
      },
      BEARER_SCHEME,
    );
}

/**
 * The document with the bearer scheme offered as an alternative wherever an operation asks for an
 * API key (in OpenAPI, separate security requirement objects mean "any one of these"). The guard
 * accepts either on every route, so declaring it once here keeps every controller in step.
 */
export function withBearerAlternative(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const operation of [path.get, path.put, path.post, path.delete, path.patch]) {
      const security = operation?.security;
      if (security === undefined) continue;
      const asksForKey = security.some((requirement) => API_KEY_SCHEME in requirement);
      const hasBearer = security.some((requirement) => BEARER_SCHEME in requirement);
      if (asksForKey && !hasBearer) security.push({ [BEARER_SCHEME]: [] });
    }
  }
  return document;
}

import { ApiExtension } from '@nestjs/swagger';
import type { ContentObject, OpenAPIObject } from '@nestjs/swagger';

/** Where `@ApiRequestContent` keeps its content until `withRequestContent` moves it. */
const REQUEST_CONTENT = 'x-request-content';

/**
 * The request body of a route, one schema and example per media type. `@ApiBody` gives every
 * media type of `@ApiConsumes` the same schema, which is wrong for a route that reads either a
 * multipart upload or a JSON-lines text (POST /imports). The content is carried as an extension
 * on the operation and moved into `requestBody.content` by `withRequestContent` (configure-api.ts).
 */
export function ApiRequestContent(content: ContentObject, description: string): MethodDecorator {
  return ApiExtension(REQUEST_CONTENT, { content, description });
}

interface RequestContent {
  content: ContentObject;
  description: string;
}

/** The document with every `@ApiRequestContent` moved into its operation's request body. */
export function withRequestContent(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const operation of [path.get, path.put, path.post, path.delete, path.patch]) {
      const extended = operation as (typeof operation & Record<string, unknown>) | undefined;
      const request = extended?.[REQUEST_CONTENT] as RequestContent | undefined;
      if (extended === undefined || request === undefined) continue;
      extended.requestBody = {
        required: true,
        description: request.description,
        content: request.content,
      };
      delete extended[REQUEST_CONTENT];
    }
  }
  return document;
}

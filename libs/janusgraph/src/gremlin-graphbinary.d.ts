/**
 * The gremlin driver's GraphBinary v1 reader and writer (gremlin 3.7.4 ships them without
 * type declarations). Only what `WsGremlinConnection` uses is declared; it gives them its own
 * request and response shapes.
 */
declare module 'gremlin/lib/structure/io/binary/GraphBinary' {
  export const graphBinaryWriter: { writeRequest(request: Record<string, unknown>): Buffer };
  export const graphBinaryReader: { readResponse(buffer: Buffer): unknown };
}

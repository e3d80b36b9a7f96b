/**
 * Request bodies under a limit: a declared Content-Length over it is refused before anything is read, and a body
 * without one is counted while it streams and dropped at the limit. Nothing is buffered beyond the limit.
 */

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

const BRAND = Symbol.for("p2p-chat.BodyRefused");

/** 413 or 415, with a sentence for the `{error}` answer. */
export class BodyRefused extends Error {
  readonly [BRAND] = true;

  constructor(
    readonly status: 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = "BodyRefused";
  }

  /** Route handlers are bundled apart from the server: recognise it by its brand, not `instanceof`. */
  static is(error: unknown): error is BodyRefused {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
  }
}

export function tooLarge(limit: number): BodyRefused {
  return new BodyRefused(413, `the request body is too large (at most ${limit} bytes)`);
}

/** True when a Content-Length header announces more than `limit` bytes. */
export function declaresMoreThan(contentLength: string | string[] | null | undefined, limit: number): boolean {
  const value = Array.isArray(contentLength) ? contentLength[0] : contentLength;
  return value !== undefined && value !== null && /^\d+$/.test(value.trim()) && Number(value) > limit;
}

/** `application/json`, with or without parameters such as `; charset=utf-8`. */
export function isJsonContentType(contentType: string | null | undefined): boolean {
  const mediaType = (contentType ?? "").split(";")[0]!;
  return mediaType.trim().toLowerCase() === "application/json";
}

/** The body as UTF-8 text, at most `limit` bytes; throws a 413 BodyRefused when it is longer. */
export async function readLimitedText(request: Request, limit: number): Promise<string> {
  if (declaresMoreThan(request.headers.get("content-length"), limit)) throw tooLarge(limit);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limit) {
      // Stop reading: the rest of the upload is never pulled in.
      reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

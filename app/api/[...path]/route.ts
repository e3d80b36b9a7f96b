import { jsonError } from "../_http";

/** Any path under /api that no route serves: a JSON 404 like every other API error, not the page's HTML. */
function notFound(): Response {
  return jsonError(404, "no such API route");
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };

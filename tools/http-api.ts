/** The HTTP API as a client sees it: fetch with a bearer token and JSON, for tests and scripts. */

export interface Person {
  username: string;
  token: string;
}

export async function api(baseUrl: string, route: string, init: RequestInit & { token?: string; json?: unknown } = {}) {
  const { token, json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (json !== undefined) headers.set("content-type", "application/json");
  const response = await fetch(baseUrl + route, {
    ...rest,
    headers,
    body: json === undefined ? rest.body : JSON.stringify(json),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Logs in (the first login claims the name) and returns the session token. */
export async function login(baseUrl: string, username: string, password: string): Promise<Person> {
  const { status, body } = await api(baseUrl, "/api/session", { method: "POST", json: { username, password } });
  if (status !== 200 && status !== 201) throw new Error(`login failed: ${status} ${JSON.stringify(body)}`);
  return { username, token: body.token };
}

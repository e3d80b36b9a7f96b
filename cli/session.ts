/**
 * The client's HTTP side: log in for a session token, then the few read-only calls the commands
 * need (`!who`, `!history`). Every failure becomes a CliError whose message can be shown as is.
 */
import type { Refusal } from "../lib/contract/codes";
import type { ChatMessage, GroupSummary, UserSummary } from "../lib/contract/payloads";
import { openIncoming } from "../lib/client/content";
import { httpRefusal } from "../lib/client/refusals";
import { CliError } from "./errors";

const REQUEST_TIMEOUT_MS = 10_000;

export interface Session {
  url: string;
  username: string;
  token: string;
}

export async function login(url: string, username: string, password: string): Promise<Session> {
  const { status, body } = await request(url, "/api/session", { method: "POST", json: { username, password } });
  if (status !== 200 && status !== 201) {
    const refusal = refusalOf(status, body);
    if (refusal.code === "unauthorized") throw new CliError("wrong username or password");
    throw new CliError(`login failed: ${refusal.error}`);
  }
  const { user, token } = body as { user: { username: string }; token: string };
  return { url, username: user.username, token };
}

export async function listUsers(session: Session): Promise<UserSummary[]> {
  return ((await authenticated(session, "/api/users")) as { users: UserSummary[] }).users;
}

/** The last `limit` messages with `peer`, oldest first. */
export async function history(session: Session, peer: string, limit: number): Promise<ChatMessage[]> {
  const query = new URLSearchParams({ with: peer, limit: String(limit) });
  const { messages } = (await authenticated(session, `/api/messages?${query}`)) as { messages: ChatMessage[] };
  return messages.map(openIncoming);
}

export async function listGroups(session: Session): Promise<GroupSummary[]> {
  return ((await authenticated(session, "/api/groups")) as { groups: GroupSummary[] }).groups;
}

/**
 * `!group …`: create, add, remove or leave, each one call; resolves with what to print. The server announces the
 * change in the group itself, so every member (this client too) also sees it there.
 */
export async function changeGroup(
  session: Session,
  action: "create" | "add" | "remove" | "leave",
  name: string,
  usernames: string[],
): Promise<string> {
  const group = `/api/groups/${encodeURIComponent(name)}`;
  const call =
    action === "create"
      ? { route: "/api/groups", method: "POST", json: { name, members: usernames } }
      : action === "add"
        ? { route: `${group}/members`, method: "POST", json: { username: usernames[0] } }
        : {
            route: `${group}/members/${encodeURIComponent(action === "leave" ? session.username : usernames[0]!)}`,
            method: "DELETE",
          };
  const { status, body } = await request(session.url, call.route, { ...call, token: session.token });
  if (status !== 200 && status !== 201) throw new CliError(refusalOf(status, body).error);
  const done = { create: `Created #${name}.`, add: `Added ${usernames[0]} to #${name}.` };
  return action === "leave"
    ? `You left #${name}.`
    : action === "remove"
      ? `Removed ${usernames[0]} from #${name}.`
      : done[action];
}

/** Ends every session of this person (this one included); their sockets are disconnected. */
export async function logoutEverywhere(session: Session): Promise<void> {
  const { status, body } = await request(session.url, "/api/sessions", { method: "DELETE", token: session.token });
  if (status !== 204) throw new CliError(`could not log out everywhere: ${refusalOf(status, body).error}`);
}

async function authenticated(session: Session, route: string): Promise<unknown> {
  const { status, body } = await request(session.url, route, { method: "GET", token: session.token });
  if (status !== 200) throw new CliError(refusalOf(status, body).error);
  return body;
}

async function request(
  baseUrl: string,
  route: string,
  options: { method: string; token?: string; json?: unknown },
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(new URL(route, baseUrl), {
      method: options.method,
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new CliError(`cannot reach the server at ${baseUrl}: ${networkReason(error)}`);
  }
  const text = await response.text();
  try {
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  } catch {
    throw new CliError(`${baseUrl} answered ${response.status} with something that is not the chat's JSON`);
  }
}

/** An error answer's refusal; `HTTP <status>` in words when the body is not the chat's. */
function refusalOf(status: number, body: unknown): Refusal {
  return httpRefusal(status, body, `HTTP ${status}`);
}

/** fetch hides the useful part (ECONNREFUSED, ENOTFOUND, a timeout) in `cause`. */
function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/**
 * The page's calls to the HTTP API. Every error comes back as `{error, code}`: callers show the words, and act on
 * the code (api-errors.ts, read there so the login form's scripts stay as small as they are).
 */
import type {
  ChatMessage,
  CheckPage,
  ConversationSummary,
  DeviceSummary,
  GroupSummary,
  ReadingEvent,
  ReceiptDetail,
  UserSummary,
} from "@/lib/contract/payloads";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The answer's body as it came, `undefined` when it was not JSON. */
    readonly body: unknown,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const response = await fetch(path, {
    ...rest,
    credentials: "same-origin",
    headers: json === undefined ? rest.headers : { "content-type": "application/json", ...rest.headers },
    body: json === undefined ? rest.body : JSON.stringify(json),
  });
  const text = await response.text();
  const body = parseJson(text);
  if (!response.ok) throw new ApiError(response.status, body, body?.error ?? `request failed (${response.status})`);
  return body as T;
}

/** Errors from a proxy or an unknown route may be HTML; only the status matters then. */
function parseJson(text: string): { error?: string } | undefined {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export const api = {
  currentUser: () => request<{ user: { username: string } }>("/api/session"),
  login: (username: string, password: string) =>
    request<{ user: { username: string } }>("/api/session", { method: "POST", json: { username, password } }),
  logout: () => request<void>("/api/session", { method: "DELETE" }),
  /** Ends every session of this person, on every device. */
  logoutEverywhere: () => request<void>("/api/sessions", { method: "DELETE" }),
  users: () => request<{ users: UserSummary[] }>("/api/users"),
  conversations: () => request<{ conversations: ConversationSummary[] }>("/api/conversations"),
  history: (peer: string, options: { before?: string; limit: number }) => {
    const query = new URLSearchParams({ with: peer, limit: String(options.limit) });
    if (options.before) query.set("before", options.before);
    return request<{ messages: ChatMessage[] }>(`/api/messages?${query}`);
  },
  /** One page of unseen messages; pass the previous page's `next` for the one after. */
  check: (after?: string) =>
    request<CheckPage>("/api/messages/check", { method: "POST", json: after ? { after } : undefined }),
  groups: () => request<{ groups: GroupSummary[] }>("/api/groups"),
  group: (name: string) => request<{ group: GroupSummary }>(`/api/groups/${encodeURIComponent(name)}`),
  createGroup: (name: string, members: string[]) =>
    request<{ group: GroupSummary }>("/api/groups", { method: "POST", json: { name, members } }),
  addMember: (name: string, username: string) =>
    request<{ group: GroupSummary }>(`/api/groups/${encodeURIComponent(name)}/members`, {
      method: "POST",
      json: { username },
    }),
  /** Removes a member (owner), or — your own name — leaves. */
  removeMember: (name: string, username: string) =>
    request<unknown>(`/api/groups/${encodeURIComponent(name)}/members/${encodeURIComponent(username)}`, {
      method: "DELETE",
    }),
  receipts: (id: string) => request<{ receipts: ReceiptDetail[] }>(`/api/messages/${encodeURIComponent(id)}/receipts`),
  thermometers: () => request<{ thermometers: DeviceSummary[] }>("/api/thermometers"),
  readings: (device: string, limit: number) =>
    request<{ readings: ReadingEvent[] }>(`/api/thermometers/${encodeURIComponent(device)}/readings?limit=${limit}`),
};

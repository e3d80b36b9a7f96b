/**
 * The clientId of a send: what makes a resend the same message to the server (it answers with the one it stored).
 * Unique among one person's sends, from any of their clients.
 */

/**
 * `crypto.randomUUID` where there is one; a browser has it only in a secure context (HTTPS, localhost), and a page
 * served over plain HTTP to a LAN address is not one, while `getRandomValues` is there in every context.
 */
export function newClientId(): string {
  if (typeof globalThis.crypto.randomUUID === "function") return globalThis.crypto.randomUUID();
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

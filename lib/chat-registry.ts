/**
 * Route handlers are bundled by Next apart from the server's own modules, so a module-level
 * singleton would exist twice. The server publishes its ChatService under one global key instead,
 * and route handlers read it from there.
 */
import type { ChatService } from "./chat";

const CHAT_SERVICE = Symbol.for("p2p-chat.chat-service");
type Registry = typeof globalThis & { [CHAT_SERVICE]?: ChatService };

export function publishChatService(chat: ChatService | undefined): void {
  (globalThis as Registry)[CHAT_SERVICE] = chat;
}

export function chatService(): ChatService {
  const chat = (globalThis as Registry)[CHAT_SERVICE];
  if (!chat) throw new Error("the chat service is not running: start the app with `npm run dev` or `npm start`, not `next`");
  return chat;
}

"use client";
/**
 * What the page's hooks share: the state as of the latest render (socket handlers outlive renders), the one
 * dispatch, the notice line, signing out, and the connection once it is open (use-connection.ts fills it in).
 */
import { type Dispatch, useMemo, useRef } from "react";
import type { ChatClient } from "@/lib/client/chat-client";
import type { ChatAction, ChatState } from "./chat-state";
import type { ChatClientSocket } from "./socket";

export interface ChatPage {
  me: string;
  dispatch: Dispatch<ChatAction>;
  latest: { readonly current: ChatState };
  /** Says something on the notice line (an error, help text, the offline notice); `null` clears it. */
  notify(text: string | null): void;
  signedOut(): void;
  socket: { current: ChatClientSocket | null };
  client: { current: ChatClient | null };
}

export function useChatPage(state: ChatState, dispatch: Dispatch<ChatAction>, onSignedOut: () => void): ChatPage {
  const latest = useRef(state);
  latest.current = state;
  const signedOut = useRef(onSignedOut);
  signedOut.current = onSignedOut;
  const socket = useRef<ChatClientSocket | null>(null);
  const client = useRef<ChatClient | null>(null);
  const me = state.me;
  return useMemo(
    () => ({
      me,
      dispatch,
      latest,
      notify: (text: string | null) => dispatch({ type: "notice", text }),
      signedOut: () => signedOut.current(),
      socket,
      client,
    }),
    [me, dispatch],
  );
}

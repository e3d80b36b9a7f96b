"use client";
/**
 * "typing…" both ways: keystrokes in the composer tell the open conversation, throttled (typing-signal.ts), and
 * others' typing shows until they stop, or for TYPING_EXPIRY_MS if their "stopped" never arrives.
 */
import { useCallback, useRef } from "react";
import type { TypingEvent } from "@/lib/contract/payloads";
import type { ChatPage } from "./chat-page";
import { typingKey } from "./chat-state";
import { TypingSignal } from "./typing-signal";

const TYPING_EXPIRY_MS = 6_000;

export function useTyping(page: ChatPage) {
  const { dispatch, latest } = page;
  const signal = useRef<TypingSignal | null>(null);
  signal.current ??= new TypingSignal((destination, typing) =>
    page.socket.current?.emit("typing", { destination, typing }),
  );
  const expiry = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const stopTyping = useCallback(() => signal.current?.stop(), []);

  /** Called on every keystroke in the composer. */
  const noteTyping = useCallback(() => {
    const peer = latest.current.openPeer;
    if (peer && page.socket.current?.connected) signal.current?.keystroke(peer);
  }, [page, latest]);

  const typingEvent = useCallback(
    ({ username, typing, group }: TypingEvent) => {
      const key = typingKey({ username, group });
      dispatch({ type: "typing", username, typing, group });
      clearTimeout(expiry.current.get(key));
      if (typing) {
        expiry.current.set(
          key,
          setTimeout(() => dispatch({ type: "typing", username, typing: false, group }), TYPING_EXPIRY_MS),
        );
      }
    },
    [dispatch],
  );

  return { stopTyping, noteTyping, typingEvent };
}

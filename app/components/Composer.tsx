"use client";
import { useState, type FormEvent, type KeyboardEvent } from "react";

export const COMPOSER_ID = "composer-input";

/**
 * One textbox for everything a person types: plain text to the open conversation, `name: text`
 * to anyone, `!check` and the other commands. Enter sends, Shift+Enter adds a line.
 */
export function Composer(props: {
  peer: string | null;
  disconnected: boolean;
  onSubmit: (text: string) => Promise<boolean>;
  onTyping: () => void;
}) {
  const [text, setText] = useState("");

  async function send(event?: FormEvent) {
    event?.preventDefault();
    const typed = text;
    // Cleared first so the next message can be typed at once; put back if nothing was sent.
    setText("");
    const sent = await props.onSubmit(typed);
    if (!sent) setText((current) => (current === "" ? typed : current));
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  const placeholder = props.peer ? `Message ${props.peer}` : "name: message, or !check";
  return (
    <form className="composer" onSubmit={send}>
      <label htmlFor={COMPOSER_ID} className="visually-hidden">
        Message
      </label>
      <textarea
        id={COMPOSER_ID}
        rows={1}
        value={text}
        placeholder={placeholder}
        aria-describedby="composer-hint"
        onChange={(event) => {
          setText(event.target.value);
          props.onTyping();
        }}
        onKeyDown={onKeyDown}
      />
      <span id="composer-hint" className="visually-hidden">
        Enter sends, Shift+Enter starts a new line.
        {props.disconnected ? " Offline: messages are kept and sent on reconnect." : ""}
      </span>
      <button type="submit" className="primary" disabled={text.trim() === ""}>
        Send
      </button>
    </form>
  );
}

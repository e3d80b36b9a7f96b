"use client";
/** Decides between the login form and the chat from the session cookie, which survives reloads. */
import { useEffect, useState } from "react";
import { api } from "../client/api";
import { ChatView } from "./ChatView";
import { LoginForm } from "./LoginForm";

type Session = { state: "loading" } | { state: "signedOut" } | { state: "signedIn"; username: string };

export function ChatApp() {
  const [session, setSession] = useState<Session>({ state: "loading" });

  useEffect(() => {
    let cancelled = false;
    api.currentUser().then(
      ({ user }) => !cancelled && setSession({ state: "signedIn", username: user.username }),
      () => !cancelled && setSession({ state: "signedOut" }),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  if (session.state === "loading") {
    return (
      <main className="splash" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  if (session.state === "signedOut") {
    return <LoginForm onSignedIn={(username) => setSession({ state: "signedIn", username })} />;
  }
  // Keyed by user so logging in as someone else starts from a clean slate.
  return (
    <ChatView key={session.username} me={session.username} onSignedOut={() => setSession({ state: "signedOut" })} />
  );
}

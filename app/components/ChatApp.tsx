"use client";
/** Decides between the login form and the chat from the session cookie, which survives reloads. */
import { lazy, Suspense, useEffect, useState } from "react";
import { api } from "../client/api";
import { LoginForm } from "./LoginForm";

/**
 * The signed-in page (its components, the Socket.IO client, the chat state) is most of the page's
 * own JavaScript and nothing shows it before the session check answers. Loading it separately keeps
 * it out of the scripts the page needs to hydrate; the download starts with the session check, so a
 * signed-in reload does not wait for the check and then for the code, and someone at the login form
 * has it by the time they are in.
 */
const loadChatView = () => import("./ChatView");
const ChatView = lazy(() => loadChatView().then(({ ChatView }) => ({ default: ChatView })));

type Session = { state: "loading" } | { state: "signedOut" } | { state: "signedIn"; username: string };

function Splash() {
  return (
    <main className="splash" aria-busy="true">
      <p>Loading…</p>
    </main>
  );
}

export function ChatApp() {
  const [session, setSession] = useState<Session>({ state: "loading" });

  useEffect(() => {
    let cancelled = false;
    void loadChatView();
    api.currentUser().then(
      ({ user }) => !cancelled && setSession({ state: "signedIn", username: user.username }),
      () => !cancelled && setSession({ state: "signedOut" }),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  if (session.state === "loading") return <Splash />;
  if (session.state === "signedOut") {
    return <LoginForm onSignedIn={(username) => setSession({ state: "signedIn", username })} />;
  }
  // Keyed by user so logging in as someone else starts from a clean slate.
  return (
    <Suspense fallback={<Splash />}>
      <ChatView key={session.username} me={session.username} onSignedOut={() => setSession({ state: "signedOut" })} />
    </Suspense>
  );
}

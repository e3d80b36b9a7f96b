import type { UserSummary } from "@/lib/contract/payloads";
import { lastSeenText } from "../client/format";

/**
 * Everyone else, devices included. Each button's accessible name is exactly the username;
 * presence is its description, so screen readers hear both.
 */
export function PeopleList(props: {
  users: ReadonlyMap<string, UserSummary>;
  me: string;
  openPeer: string | null;
  onOpen: (peer: string) => void;
}) {
  const people = [...props.users.values()]
    .filter((user) => user.username !== props.me)
    .sort(
      (a, b) =>
        Number(!!b.service) - Number(!!a.service) ||
        Number(b.online) - Number(a.online) ||
        a.username.localeCompare(b.username),
    );

  return (
    <section className="list-section" aria-labelledby="people-title">
      <h2 id="people-title">People</h2>
      {people.length === 0 ? (
        <p className="empty">Nobody else is here yet. Share the address so others can log in.</p>
      ) : (
        <ul className="people-list">
          {people.map((user) => {
            const device = user.service === "thermometer";
            const presenceId = `presence-${user.username}`;
            return (
              <li key={user.username}>
                <button
                  type="button"
                  className={`person${device ? " is-device" : ""}${user.username === props.openPeer ? " is-open" : ""}`}
                  aria-label={user.username}
                  aria-describedby={presenceId}
                  onClick={() => props.onOpen(user.username)}
                >
                  <span className={`dot${user.online ? " is-online" : ""}`} aria-hidden="true" />
                  <span className="person-name" aria-hidden="true">
                    {user.username}
                  </span>
                  <span className="person-presence" id={presenceId}>
                    {device ? "device" : user.online ? "online" : lastSeenText(user.lastSeen)}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

"use client";
/**
 * A group's members with their presence; its owner adds and removes, anyone leaves. Changes come back through the
 * `group` event, so every tab of every member shows the same list.
 */
import { useState } from "react";
import type { GroupSummary, UserSummary } from "@/lib/contract/payloads";

export function MembersPanel(props: {
  group: GroupSummary;
  me: string;
  users: ReadonlyMap<string, UserSummary>;
  onChange: (group: string, change: "add" | "remove", username: string) => Promise<void>;
}) {
  const { group, me, users } = props;
  const [adding, setAdding] = useState("");
  const owner = group.owner === me;
  const inGroup = new Set(group.members.map((m) => m.username));
  const candidates = [...users.values()]
    .filter((user) => !user.service && !inGroup.has(user.username))
    .map((user) => user.username)
    .sort((a, b) => a.localeCompare(b));
  const online = (username: string) => users.get(username)?.online ?? false;

  return (
    <section className="members-panel" aria-labelledby="members-title">
      <h3 id="members-title">Members of #{group.name}</h3>
      <ul className="members">
        {group.members.map((member) => (
          <li key={member.username}>
            <span className={`dot${online(member.username) ? " is-online" : ""}`} aria-hidden="true" />
            <span>{member.username}</span>
            <span className="visually-hidden">{online(member.username) ? ", online" : ", offline"}</span>
            {member.username === group.owner && <span className="device-tag">owner</span>}
            {owner && member.username !== me && (
              <button
                type="button"
                className="link"
                aria-label={`Remove ${member.username}`}
                onClick={() => void props.onChange(group.name, "remove", member.username)}
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {owner && candidates.length > 0 && (
        <form
          className="add-member"
          onSubmit={(event) => {
            event.preventDefault();
            if (adding) void props.onChange(group.name, "add", adding).then(() => setAdding(""));
          }}
        >
          <label htmlFor="add-member">Add</label>
          <select id="add-member" value={adding} onChange={(event) => setAdding(event.target.value)}>
            <option value="">Pick someone…</option>
            {candidates.map((username) => (
              <option key={username} value={username}>
                {username}
              </option>
            ))}
          </select>
          <button type="submit" disabled={!adding}>
            Add member
          </button>
        </form>
      )}
      <button type="button" className="leave-group" onClick={() => void props.onChange(group.name, "remove", me)}>
        Leave group
      </button>
    </section>
  );
}

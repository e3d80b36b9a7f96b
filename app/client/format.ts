/** How times read on the page: in the viewer's own time zone and language. */

export function timeOfDay(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** A key that is the same for two timestamps on the same local day. */
export function dayKey(iso: string): string {
  const date = new Date(iso);
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

export function dayLabel(iso: string, now = new Date()): string {
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKey(iso) === dayKey(now.toISOString())) return "Today";
  if (dayKey(iso) === dayKey(yesterday.toISOString())) return "Yesterday";
  return new Date(iso).toLocaleDateString([], { weekday: "long", day: "numeric", month: "long", year: "numeric" });
}

/** "just now", "5 min ago", "3 h ago", or a date. */
export function lastSeenText(iso: string | null, now = Date.now()): string {
  if (!iso) return "never seen";
  const minutes = Math.floor((now - new Date(iso).getTime()) / 60_000);
  if (minutes < 1) return "last seen just now";
  if (minutes < 60) return `last seen ${minutes} min ago`;
  if (minutes < 24 * 60) return `last seen ${Math.floor(minutes / 60)} h ago`;
  return `last seen ${new Date(iso).toLocaleDateString([], { day: "numeric", month: "short" })}`;
}

/** Short time for a conversation list row: the time today, else the date. */
export function listTime(iso: string, now = new Date()): string {
  return dayKey(iso) === dayKey(now.toISOString())
    ? timeOfDay(iso)
    : new Date(iso).toLocaleDateString([], { day: "numeric", month: "short" });
}

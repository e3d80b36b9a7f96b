import { errorField, logger } from "../log";
import { ChatError, INTERNAL_ERROR } from "../../lib/errors";
import type { RequestEvent, RequestResults } from "../../lib/contract/events";
import type { InFlight } from "../../lib/in-flight";
import type { ChatSocket } from "./types";

/**
 * A request event: the handler's result goes back through the ack as `{ok: true, ...result}`, a
 * ChatError as `{ok: false, error, code}`, anything else as a generic error (and a log line). The payload
 * is whatever the client sent, so it reaches the handler as `unknown` for ChatService to validate.
 */
export function onRequest<E extends RequestEvent>(
  socket: ChatSocket,
  inFlight: InFlight,
  event: E,
  handler: (payload: unknown) => Promise<RequestResults[E]>,
): void {
  // The typed listener would promise a valid payload; a hostile client promises nothing, so listen untyped.
  const listen = socket.on.bind(socket) as (event: string, listener: (...args: unknown[]) => void) => void;
  listen(event, (...args) => {
    const ack = args[args.length - 1];
    if (typeof ack !== "function") return; // every request event is answered through its ack
    const payload = args.length > 1 ? args[0] : undefined;
    inFlight.track(handler(payload)).then(
      (result) => ack({ ok: true, ...result }),
      (error: unknown) => {
        if (ChatError.is(error)) return ack({ ok: false, ...error.toRefusal() });
        logger.error(errorField(error), `${event} failed:`);
        ack({ ok: false, ...INTERNAL_ERROR });
      },
    );
  });
}

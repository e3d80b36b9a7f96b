/** The integration tests run the server as people do in production: on a `next build`, made here when stale. */
import { buildIfStale } from "../../tools/build";

export default buildIfStale;

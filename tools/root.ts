import path from "node:path";

/** The project's root folder: children run from here, and the build lives under it. */
export const ROOT = path.resolve(__dirname, "..");

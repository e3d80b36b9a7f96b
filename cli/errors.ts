/** A failure worth one clear sentence on stderr, not a stack trace. */
export class CliError extends Error {}

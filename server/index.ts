/** The one process: the Next.js app and Socket.IO on PORT (default 3000), over HTTPS when TLS_CERT is set. */
import { errorField, logger, setLogLevel } from "./log";
import { loadConfig } from "./config";
import { startServer } from "./app";

async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const server = await startServer(config);
  const scheme = config.http.tls ? "https" : "http";
  logger.info(`> Chat ready on ${scheme}://localhost:${server.port} (${config.dev ? "development" : "production"})`);

  const shutdown = (signal: NodeJS.Signals) => {
    logger.info(`> ${signal}: finishing in-flight work and closing the store…`);
    server.close().then(
      () => process.exit(0),
      (error) => {
        logger.error(errorField(error), "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main().catch((error: Error) => {
  logger.fatal(errorField(error), `Could not start: ${error.message}`);
  process.exit(1);
});

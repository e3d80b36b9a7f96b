/**
 * A seam around the Prisma client the stores use (openStore's `wrap` option), for tests: every
 * model call passes through `intercept` before it reaches the real database, which can record it
 * or fail it with the error Prisma itself raises. Nothing is mocked; the database is real.
 */
import { Prisma } from "@prisma/client";
import type { Database } from "@/lib/store";

export interface ModelCall {
  model: string;
  operation: string;
  args: any;
}

export function intercepted(db: Database, intercept: (call: ModelCall) => void): Database {
  return new Proxy(db, {
    get(client, property) {
      const value = Reflect.get(client, property);
      if (typeof value === "function") return value.bind(client);
      if (typeof property !== "string" || property.startsWith("$") || typeof value !== "object" || value === null)
        return value;
      return new Proxy(value, {
        get(delegate, operation) {
          const method = Reflect.get(delegate, operation);
          if (typeof operation !== "string" || typeof method !== "function") return method;
          return (args: unknown) => {
            try {
              intercept({ model: property, operation, args });
            } catch (error) {
              return Promise.reject(error);
            }
            return method.call(delegate, args);
          };
        },
      });
    },
  });
}

/** What Prisma raises when a transaction lost a write conflict (MongoDB) and was rolled back. */
export function writeConflict(): Prisma.PrismaClientKnownRequestError {
  return new Prisma.PrismaClientKnownRequestError(
    "Transaction failed due to a write conflict or a deadlock. Please retry your transaction",
    { code: "P2034", clientVersion: Prisma.prismaVersion.client },
  );
}

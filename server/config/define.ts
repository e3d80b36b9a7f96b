/**
 * How a setting is declared, once: the environment variable, and the zod schema that reads it (its default
 * included). An area is a set of settings (and of nested areas) under the names the code reads them by, so the
 * declaration gives the variable, the rule, the default and the place in the configuration at once; the area's type
 * is inferred from it. Cross-field rules (two variables that go together) are an area's `finish` step.
 */
import type { z } from "zod";

export interface Setting<T> {
  readonly variable: string;
  readonly schema: z.ZodType<T>;
}

/** An environment variable and the schema that turns its text (or its absence) into the value the code reads. */
export function setting<S extends z.ZodType>(variable: string, schema: S): Setting<z.output<S>> {
  return { variable, schema: schema as unknown as z.ZodType<z.output<S>> };
}

/** What an area is made of: settings and areas, by the names the code reads them under. */
export type Shape = { readonly [name: string]: Setting<unknown> | Area<unknown> };

/** The values of a shape, each setting by its schema's output, each nested area by its own value. */
export type Values<S extends Shape> = {
  [K in keyof S]: S[K] extends Setting<infer T> ? T : S[K] extends Area<infer A> ? A : never;
};

/** Says what is wrong with one variable; the configuration then refuses to load. */
export type Problem = (variable: string, message: string) => void;

export interface Area<T> {
  read(env: NodeJS.ProcessEnv, problem: Problem): T;
  /** Every variable the area reads, nested areas included. */
  readonly variables: string[];
}

/** The value an area reads to. */
export type AreaValue<A> = A extends Area<infer T> ? T : never;

export function area<S extends Shape>(shape: S): Area<Values<S>>;
export function area<S extends Shape, T>(shape: S, finish: (values: Values<S>, problem: Problem) => T): Area<T>;
export function area<S extends Shape, T>(shape: S, finish?: (values: Values<S>, problem: Problem) => T): Area<T> {
  const entries = Object.entries(shape);
  return {
    variables: entries.flatMap(([, part]) => ("variable" in part ? [part.variable] : part.variables)),
    read(env, problem) {
      // Keyed by the shape's own names, written in this codebase, never a client's.
      const values: Record<string, unknown> = {};
      for (const [name, part] of entries) {
        if (!("variable" in part)) {
          values[name] = part.read(env, problem);
          continue;
        }
        const parsed = part.schema.safeParse(env[part.variable]);
        if (parsed.success) values[name] = parsed.data;
        else for (const issue of parsed.error.issues) problem(part.variable, issue.message);
      }
      return finish ? finish(values as Values<S>, problem) : (values as T);
    },
  };
}

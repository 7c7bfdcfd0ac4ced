import type { z } from 'zod';

/**
 * Compile-time checks that an answer's zod schema and the TypeScript type of what the route
 * returns (the use case's own type) describe the same JSON, so neither can change alone: the
 * schema is the API's contract (answers are serialized through it, which silently drops a field
 * it lacks), the type is what the code builds. Types only: nothing here exists at run time.
 *
 *   export type ReportAgrees = Expect<ShapeCheck<Report, typeof ReportSchema>>;
 *
 * fails to compile, naming the first differing path, when a field is added, removed, renamed,
 * made optional or given another type on one side only.
 */

/**
 * What JSON makes of a type: a property that may be undefined may be absent (JSON.stringify
 * leaves it out), and a readonly array is an array. Flattened, so that equal shapes are identical.
 */
export type Json<T> = T extends readonly (infer A)[]
  ? Json<A>[]
  : T extends object
    ? Flat<
        { [K in keyof T as undefined extends T[K] ? never : K]: Json<T[K]> } & {
          [K in keyof T as undefined extends T[K] ? K : never]?: Json<Exclude<T[K], undefined>>;
        }
      >
    : T;

type Flat<T> = { [K in keyof T]: T[K] };

/** true when A and B are the same type (not only assignable to each other). */
export type Same<A, B> =
  (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

/** A path for messages: the top of the answer has none. */
type Where<P extends string> = P extends '' ? '(the answer itself)' : P;

/** Of each key both have, where its two shapes differ (never when nowhere). */
type DiffInKeys<A, B, P extends string> = {
  [K in keyof A & keyof B & string]: DiffAt<A[K], B[K], `${P}.${K}`>;
}[keyof A & keyof B & string];

/**
 * Where two JSON shapes differ, as paths (`.totals.events`, `.users[].email`), or never. Where
 * only optionality, nullability or a union differs, the path of the field is given.
 */
type DiffAt<A, B, P extends string> =
  Same<A, B> extends true
    ? never
    : [A, B] extends [readonly (infer X)[], readonly (infer Y)[]]
      ? DiffAt<X, Y, `${P}[]`>
      : [A, B] extends [Record<string, unknown>, Record<string, unknown>]
        ? [Exclude<keyof A, keyof B>] extends [never]
          ? [Exclude<keyof B, keyof A>] extends [never]
            ? [DiffInKeys<A, B, P>] extends [never]
              ? Where<P>
              : DiffInKeys<A, B, P>
            : `${P}.${Exclude<keyof B, keyof A> & string} (only in the schema)`
          : `${P}.${Exclude<keyof A, keyof B> & string} (only in the type)`
        : Where<P>;

/**
 * true when T (what the route returns) and the schema's output describe the same JSON; else the
 * paths where they differ, which `Expect` turns into a compile error that names them.
 */
export type ShapeCheck<T, S extends z.ZodType> = [DiffAt<Json<T>, Json<z.output<S>>, ''>] extends [
  never,
]
  ? true
  : { differs_at: DiffAt<Json<T>, Json<z.output<S>>, ''> };

/** Compiles only for true: `export type ReportAgrees = Expect<ShapeCheck<Report, typeof ReportSchema>>`. */
export type Expect<T extends true> = T;

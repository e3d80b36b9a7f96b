/**
 * Long id lists cut into slices for `in` filters: Prisma refuses a query with more than 999 bound values on SQLite,
 * where the portable implementation runs too (the test suites, `portable: true`).
 */
export const IDS_PER_QUERY = 900;

export function slices<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

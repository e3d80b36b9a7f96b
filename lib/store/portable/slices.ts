/** Prisma refuses a query with more than 999 bound values on SQLite, so long id lists go in slices. */
export const IDS_PER_QUERY = 900;

export function slices<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

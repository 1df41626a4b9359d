/** The `acl` claim of a Vonage-style JWT: path globs, each allowing all methods (`{}`) or the listed ones. */
export interface Acl {
  paths: Record<string, { methods?: string[] } & Record<string, unknown>>;
}

/**
 * Whether `acl` lets `method` reach `path`. In a glob `*` matches one path segment and `**` any number of
 * segments (including none); the query string is ignored. A token without an ACL is unrestricted.
 */
export function aclAllows(acl: Acl | null, method: string, path: string): boolean {
  if (acl === null) return true;
  const segments = splitPath(path);
  for (const [glob, rule] of Object.entries(acl.paths)) {
    if (!matchSegments(splitPath(glob), segments)) continue;
    const methods = rule.methods;
    if (!Array.isArray(methods) || methods.some((m) => m.toUpperCase() === method.toUpperCase())) return true;
  }
  return false;
}

function splitPath(path: string): string[] {
  const bare = path.split('?', 1)[0] ?? '';
  return bare.split('/').filter((s) => s.length > 0);
}

function matchSegments(glob: readonly string[], path: readonly string[]): boolean {
  // Iterative two-pointer match with backtracking to the last `**`, linear in practice and never recursive.
  let g = 0;
  let p = 0;
  let starG = -1;
  let starP = 0;
  while (p < path.length) {
    const part = glob[g];
    if (part === '**') {
      starG = g++;
      starP = p;
    } else if (part !== undefined && (part === '*' || part === path[p])) {
      g++;
      p++;
    } else if (starG >= 0) {
      g = starG + 1;
      p = ++starP;
    } else {
      return false;
    }
  }
  while (glob[g] === '**') g++;
  return g === glob.length;
}

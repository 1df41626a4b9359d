/**
 * Which browser origins may use the API. Requests without an Origin header (servers, CLIs, native apps) are
 * always allowed: no cookie or ambient credential authenticates anything, so the policy limits only which
 * web pages may talk to this server.
 */
export class OriginPolicy {
  constructor(private readonly allowed: '*' | readonly string[]) {}

  allows(origin: string | undefined): boolean {
    if (origin === undefined || this.allowed === '*') return true;
    return this.allowed.includes(origin);
  }
}

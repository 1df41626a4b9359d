import { ParleyError } from '../protocol/errors.js';
import type { Page, PageQuery, UserRecord } from '../store/records.js';
import type { Store, UserPatch } from '../store/store.js';
import type { Access } from './access.js';
import type { Principal } from './auth/principal.js';
import { nowIso } from './clock.js';
import { newUserId } from './ids.js';
import type { MembersService } from './members-service.js';

export interface NewUser {
  name: string;
  displayName?: string | null | undefined;
  imageUrl?: string | null | undefined;
  customData?: Record<string, unknown> | undefined;
  channels?: Record<string, unknown> | undefined;
}

export class UsersService {
  constructor(
    private readonly store: Store,
    private readonly access: Access,
    private readonly members: MembersService,
  ) {}

  async create(principal: Principal, input: NewUser): Promise<UserRecord> {
    this.access.requireApplication(principal);
    return this.store.createUser({
      id: newUserId(),
      applicationId: principal.application.id,
      name: input.name,
      displayName: input.displayName ?? null,
      imageUrl: input.imageUrl ?? null,
      customData: input.customData ?? {},
      channels: input.channels ?? {},
      created: nowIso(),
    });
  }

  async get(principal: Principal, id: string): Promise<UserRecord> {
    this.access.requireSelfOrApplication(principal, id);
    return this.access.user(principal, id);
  }

  /** Any user of the caller's application, as another user may see them (Stitch's `user:get`). */
  profile(principal: Principal, id: string): Promise<UserRecord> {
    return this.access.user(principal, id);
  }

  /** A user of the application by name, or undefined; for the composition root (the demo), not for callers. */
  findByName(applicationId: string, name: string): Promise<UserRecord | undefined> {
    return this.store.getUserByName(applicationId, name);
  }

  async list(principal: Principal, page: PageQuery, name?: string): Promise<Page<UserRecord>> {
    this.access.requireApplication(principal);
    return this.store.listUsers(principal.application.id, page, { name });
  }

  async update(principal: Principal, id: string, patch: UserPatch): Promise<UserRecord> {
    this.access.requireSelfOrApplication(principal, id);
    await this.access.user(principal, id);
    if (principal.user && patch.name !== undefined && patch.name !== principal.user.name) {
      throw new ParleyError('system:error:forbidden', 'Only the application may rename a user');
    }
    const updated = await this.store.updateUser(id, patch);
    if (!updated) throw new ParleyError('user:error:not-found');
    return updated;
  }

  /** Deletes the user; conversations they were in see them leave first. */
  async delete(principal: Principal, id: string): Promise<void> {
    this.access.requireApplication(principal);
    const user = await this.access.user(principal, id);
    await this.members.leaveAll(user);
    await this.store.deleteUser(id);
  }
}

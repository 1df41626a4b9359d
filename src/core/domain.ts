import type { Store } from '../store/store.js';
import { Access } from './access.js';
import { ApplicationsService } from './applications-service.js';
import { ApiCredentials } from './auth/api-credentials.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { ContentPolicy } from './content-policy.js';
import { storeDirectory, type Directory } from './directory.js';
import { ConversationsService } from './conversations-service.js';
import { nullSink, type EventSink } from './event-sink.js';
import { EventsService } from './events-service.js';
import { GroupCommit, type ErrorLog } from './group-commit.js';
import { ImportExportService } from './import-export-service.js';
import { MembersService } from './members-service.js';
import { UsersService } from './users-service.js';

/** Whether the store answers, for `/healthz`. */
export interface Health {
  ping(): Promise<void>;
}

/** Server-wide named values kept in the store (the demo's world, for one). */
export interface Settings {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
}

/** Every domain service, wired over one store and one sink for committed events; the store stays inside. */
export interface Domain {
  tokens: TokenVerifier;
  credentials: ApiCredentials;
  applications: ApplicationsService;
  users: UsersService;
  conversations: ConversationsService;
  members: MembersService;
  events: EventsService;
  health: Health;
  settings: Settings;
  directory: Directory;
  importExport: ImportExportService;
}

export interface DomainOptions {
  /** Content rules for every client-written event. */
  content?: ContentPolicy;
  /** Where the group commit reports a failed batch (pino). */
  logger?: ErrorLog;
}

const silent: ErrorLog = { error: () => undefined };

export function createDomain(store: Store, sink: EventSink = nullSink, options: DomainOptions = {}): Domain {
  const access = new Access(store);
  const members = new MembersService(store, access, sink);
  const commits = new GroupCommit(store, options.logger ?? silent);
  return {
    tokens: new TokenVerifier(store),
    credentials: new ApiCredentials(store),
    applications: new ApplicationsService(store),
    users: new UsersService(store, access, members),
    conversations: new ConversationsService(store, access, sink),
    members,
    events: new EventsService(store, access, sink, commits, options.content ?? new ContentPolicy()),
    health: { ping: () => store.ping() },
    settings: { get: (key) => store.getSetting(key), put: (key, value) => store.putSetting(key, value) },
    directory: storeDirectory(store),
    importExport: new ImportExportService(store, sink),
  };
}

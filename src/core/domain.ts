import type { Store } from '../store/store.js';
import { Access } from './access.js';
import { ApplicationsService } from './applications-service.js';
import { ApiCredentials } from './auth/api-credentials.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { ConversationsService } from './conversations-service.js';
import { nullSink, type EventSink } from './event-sink.js';
import { EventsService } from './events-service.js';
import { GroupCommit } from './group-commit.js';
import { MembersService } from './members-service.js';
import { UsersService } from './users-service.js';

/** Every domain service, wired over one store and one sink for committed events. */
export interface Domain {
  store: Store;
  tokens: TokenVerifier;
  credentials: ApiCredentials;
  applications: ApplicationsService;
  users: UsersService;
  conversations: ConversationsService;
  members: MembersService;
  events: EventsService;
}

export function createDomain(store: Store, sink: EventSink = nullSink): Domain {
  const access = new Access(store);
  const members = new MembersService(store, access, sink);
  return {
    store,
    tokens: new TokenVerifier(store),
    credentials: new ApiCredentials(store),
    applications: new ApplicationsService(store),
    users: new UsersService(store, access, members),
    conversations: new ConversationsService(store, access, sink),
    members,
    events: new EventsService(store, access, sink, new GroupCommit(store)),
  };
}

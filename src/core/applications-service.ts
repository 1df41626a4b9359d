import { createPublicKey } from 'node:crypto';
import { ParleyError } from '../protocol/errors.js';
import { generateRsaKeyPair } from './auth/rsa-key-pair.js';
import type { ApplicationRecord, Page, PageQuery } from '../store/records.js';
import type { Store } from '../store/store.js';
import { nowIso } from './clock.js';
import { newApplicationId } from './ids.js';

export interface NewApplication {
  name: string;
  publicKey?: string | undefined;
  answerUrl?: string | null | undefined;
  eventUrl?: string | null | undefined;
}

export interface CreatedApplication {
  application: ApplicationRecord;
  /** Set only when the server generated the key pair: returned once, never stored. */
  privateKey?: string;
}

/** Account-level management of applications; callers are already authenticated with the API key. */
export class ApplicationsService {
  constructor(private readonly store: Store) {}

  async create(input: NewApplication): Promise<CreatedApplication> {
    let publicKey = input.publicKey;
    let privateKey: string | undefined;
    if (publicKey === undefined) {
      const pair = generateRsaKeyPair();
      publicKey = pair.publicKey;
      privateKey = pair.privateKey;
    } else {
      publicKey = normaliseRsaPublicKey(publicKey);
    }
    const application = await this.store.createApplication({
      id: newApplicationId(),
      name: input.name,
      publicKey,
      answerUrl: input.answerUrl ?? null,
      eventUrl: input.eventUrl ?? null,
      type: 'rtc',
      created: nowIso(),
    });
    return privateKey === undefined ? { application } : { application, privateKey };
  }

  async get(id: string): Promise<ApplicationRecord> {
    const application = await this.store.getApplication(id);
    if (!application) throw new ParleyError('application:error:not-found', `Application ${id} not found`);
    return application;
  }

  /** The application, or undefined when there is none with this id. */
  find(id: string): Promise<ApplicationRecord | undefined> {
    return this.store.getApplication(id);
  }

  list(page: PageQuery): Promise<Page<ApplicationRecord>> {
    return this.store.listApplications(page);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.deleteApplication(id))) {
      throw new ParleyError('application:error:not-found', `Application ${id} not found`);
    }
  }
}

/** Accepts an RSA public key in SPKI or PKCS#1 PEM and stores it as SPKI PEM. */
function normaliseRsaPublicKey(pem: string): string {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
    return key.export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    throw new ParleyError('http:error:validation-fail', 'keys.public_key must be an RSA public key in PEM', {
      invalid_parameters: [{ name: 'keys.public_key', reason: 'not an RSA public key' }],
    });
  }
}

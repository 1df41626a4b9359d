import { ConversationClient } from './conversation-client.js';

/** The classic-script bundle's entry: `<script src=".../conversationClient.js">` defines `ConversationClient`, as nexmo-stitch did. */
(globalThis as typeof globalThis & { ConversationClient: typeof ConversationClient }).ConversationClient =
  ConversationClient;

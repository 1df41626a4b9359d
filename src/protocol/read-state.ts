/**
 * Read state vocabulary, shared by the server and the SDK. Messages are the events an unread count counts;
 * receipts are the events that move a member's read pointers, each to the pointer it moves. A new family of
 * receipts is one line here.
 */
export const MESSAGE_TYPES: readonly string[] = ['text', 'image', 'message'];

export type ReceiptKind = 'delivered' | 'seen';

export const RECEIPT_TYPES: Readonly<Record<string, ReceiptKind>> = {
  'text:delivered': 'delivered',
  'text:seen': 'seen',
  'image:delivered': 'delivered',
  'image:seen': 'seen',
  'message:delivered': 'delivered',
  'message:seen': 'seen',
};

export const isMessageType = (type: string): boolean => MESSAGE_TYPES.includes(type);

export const receiptKind = (type: string): ReceiptKind | undefined =>
  Object.hasOwn(RECEIPT_TYPES, type) ? RECEIPT_TYPES[type] : undefined;

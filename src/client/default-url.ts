import { NATIVE_PATH } from '../protocol/realtime.js';
import { ClientErrorCode } from './codes.js';
import { ParleyClientError } from './errors.js';

/** The origin the SDK script was loaded from; `document.currentScript` is only set while the script first runs. */
const scriptOrigin = captureScriptOrigin();

function captureScriptOrigin(): string | undefined {
  if (typeof document === 'undefined') return undefined;
  const script = document.currentScript;
  if (!script || !('src' in script) || typeof script.src !== 'string' || script.src === '') return undefined;
  try {
    return new URL(script.src).origin;
  } catch {
    return undefined;
  }
}

/**
 * The native transport's WebSocket URL for a base URL (`http://host:3000` → `ws://host:3000/ws`). Without one,
 * a browser uses the origin the SDK script came from, else the page's own origin.
 */
export function socketUrl(base: string | undefined): string {
  const origin =
    base ??
    scriptOrigin ??
    (typeof location === 'undefined' || location.origin === 'null' ? undefined : location.origin);
  if (origin === undefined) {
    throw new ParleyClientError(
      ClientErrorCode.noUrl,
      'No server URL: pass { url } to new ConversationClient()',
    );
  }
  const url = new URL(origin);
  if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol === 'http:') url.protocol = 'ws:';
  if (!url.pathname.endsWith(NATIVE_PATH)) url.pathname = url.pathname.replace(/\/+$/, '') + NATIVE_PATH;
  url.search = '';
  url.hash = '';
  return url.toString();
}

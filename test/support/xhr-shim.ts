/**
 * Enough of XMLHttpRequest, over fetch, for nexmo-client 9's REST calls in Node (client-sdk-protocols.md §3):
 * open, setRequestHeader, responseType 'json', send, then onload with status and the parsed response.
 */
class FetchXhr {
  status = 0;
  response: unknown = null;
  responseType = '';
  onload: (() => void) | null = null;
  onerror: ((error: unknown) => void) | null = null;
  onloadstart: (() => void) | null = null;
  private method = 'GET';
  private url = '';
  private readonly headers: Record<string, string> = {};

  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }

  send(body: string | null): void {
    fetch(this.url, { method: this.method, headers: this.headers, body: body ?? undefined })
      .then(async (res) => {
        this.status = res.status;
        const text = await res.text();
        this.response =
          this.responseType === 'json' ? (text === '' ? null : (JSON.parse(text) as unknown)) : text;
        this.onload?.();
      })
      .catch((error: unknown) => this.onerror?.(error));
  }
}

/** Installs the shim as the global XMLHttpRequest unless there already is one; returns how to undo it. */
export function installXhrShim(): () => void {
  const globals = globalThis as { XMLHttpRequest?: unknown };
  if (globals.XMLHttpRequest !== undefined) return () => undefined;
  globals.XMLHttpRequest = FetchXhr;
  return () => {
    delete globals.XMLHttpRequest;
  };
}

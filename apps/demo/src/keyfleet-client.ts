/** The few calls the demo makes, over plain HTTP as any client would. */
export class KeyfleetHttp {
  constructor(
    readonly baseUrl: string,
    private readonly adminToken: string,
  ) {}

  admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.call<T>(method, `/admin/v1${path}`, this.adminToken, body);
  }

  client<T>(clientKey: string, method: string, path: string, body?: unknown): Promise<T> {
    return this.call<T>(method, path, clientKey, body);
  }

  async text(clientKey: string, path: string): Promise<string> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${clientKey}` },
    });
    if (!response.ok) throw new Error(`GET ${path} → ${response.status}: ${await response.text()}`);
    return response.text();
  }

  private async call<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

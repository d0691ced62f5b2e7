/** `Authorization` header values. */
export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export function bearerAuth(token: string): string {
  return `Bearer ${token}`;
}

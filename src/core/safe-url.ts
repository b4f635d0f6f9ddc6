/**
 * A URL fit for an error message or a log line: no user name or password, the
 * value of each query parameter masked (tokens travel there), no fragment.
 * Text that is not a URL is shown as `(invalid URL)`, since it may hold a secret all the same.
 * @example safeUrl('https://user:pw@api.example.com/hook?token=abc&page=2#x') // 'https://api.example.com/hook?token=***&page=***'
 */
export function safeUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return '(invalid URL)';
  }
  url.username = '';
  url.password = '';
  url.hash = '';
  const keys = [...url.searchParams.keys()];
  const query = keys.length ? `?${keys.map((k) => `${encodeURIComponent(k)}=***`).join('&')}` : '';
  url.search = '';
  return `${url.toString()}${query}`;
}

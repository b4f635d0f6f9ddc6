/**
 * The request header the proxy sets on admin pages to their path and query: a
 * layout is not given the URL, and the admin layout sends a visitor without a
 * session to the login and back to this page (the login accepts only a path on this site).
 */
export const pagePathHeader = 'x-fluent-page-path';

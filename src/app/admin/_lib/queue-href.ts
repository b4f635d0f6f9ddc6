/** The admin page of one queue; names are URL-encoded (a `:` is `%3A`), and the page decodes them. */
export const queueHref = (queue: string) => `/admin/queues/${encodeURIComponent(queue)}`;

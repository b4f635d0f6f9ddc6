import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { AlertsTable } from '@/app/admin/_components/alerts-table';
import type { AlertRuleJson } from '@/lib/alerts/rule-json';

const now = Date.parse('2026-12-02T12:00:00Z');
const rule = (overrides: Partial<AlertRuleJson>): AlertRuleJson => ({
  name: 'mail-failing', kind: 'failure-rate', watches: 'job send-email', threshold: 20, windowMs: 15 * 60_000, minCount: 10,
  notify: 'slack:https://hooks.slack.com/…', firing: [], ...overrides,
});

describe('the admin page\'s alerts table', () => {
  it('shows each rule with its threshold and target, and what fires since when', () => {
    const html = renderToStaticMarkup(createElement(AlertsTable, {
      now,
      rules: [
        rule({}),
        rule({ name: 'reports-late', kind: 'queue-age', watches: 'queue reports', threshold: 600_000, firing: [{ subject: 'reports', since: '2026-12-02T11:58:00.000Z', message: 'queue reports: the oldest ready job has waited 12m 0s' }] }),
      ],
    }));
    expect(html).toContain('data-firing="no"');
    expect(html).toMatch(/mail-failing<\/td><td>failure-rate<\/td><td>job send-email<\/td><td>20% \(at least 10 ended\)<\/td>/);
    expect(html).toContain('slack:https://hooks.slack.com/…');
    expect(html).toMatch(/data-firing="yes".*10m 0s.*firing since <time dateTime="2026-12-02T11:58:00.000Z"[^>]*>2m 0s ago<\/time>: queue reports: the oldest ready job has waited 12m 0s/s);
    expect(renderToStaticMarkup(createElement(AlertsTable, { now, rules: [] }))).toContain('No alert rules. Add one with bin/jobs alerts add.');
  });
});

// An event stream read with fetch, for tests that look at every frame: data frames with
// their ids, named control events (adsp:ready, adsp:reset, ...) and comments.
import assert from 'node:assert/strict';
import { readFrames } from './activity-feed.mjs';

// The resume tests' configuration: one public stream of a tenant, of shop order-placed.
export const STREAMS = {
  orders: {
    id: 'orders',
    name: 'Orders',
    publicSubscribe: true,
    events: [{ namespace: 'shop', name: 'order-placed' }],
  },
};
// A cursor: <epoch>.<ms>-<seq>.
export const CURSOR = /^[0-9a-f]{8}\.\d+-\d+$/;

// One SSE frame's fields: {event, id, data, comment}, each undefined when absent.
export function parseFrame(text) {
  const frame = {};
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    else if (line.startsWith('event: ')) frame.event = line.slice(7);
    else if (line.startsWith('id: ')) frame.id = line.slice(4);
    else if (line.startsWith('data: ')) frame.data = line.slice(6);
  }
  return frame;
}

// An event stream read with fetch: every frame, control events and comments included.
export function stream(svc, path, headers = {}) {
  const controller = new AbortController();
  const frames = [];
  const opened = fetch(`${svc.url}${path}`, { headers, signal: controller.signal }).then((response) => {
    assert.equal(response.status, 200);
    readFrames(response.body, (text) => frames.push(parseFrame(text))).catch(() => {}); // aborted
    return response;
  });
  const data = () => frames.filter((f) => !f.event && f.data !== undefined).map((f) => ({ id: f.id, ...JSON.parse(f.data) }));
  const named = (name) => frames.filter((f) => f.event === name).map((f) => ({ id: f.id, ...JSON.parse(f.data) }));
  return { frames, data, named, opened, close: () => controller.abort() };
}


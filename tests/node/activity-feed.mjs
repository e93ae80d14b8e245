// Reads an SSE response body frame by frame (the raw text between blank lines, comments
// included, which EventSource would hide).
export async function readFrames(body, onFrame) {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      onFrame(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
}

// The JSON of a frame's data line, or undefined.
export function frameData(frame) {
  const data = frame.split('\n').find((line) => line.startsWith('data: '));
  return data ? JSON.parse(data.slice(6)) : undefined;
}

// A client of GET /admin/v1/activity: reads the SSE frames ("event: <type>\ndata: <json>")
// as they come and hands them out in order.
export class ActivityFeed {
  constructor(base, token, query = '') {
    this.items = [];
    this.cursor = 0;
    this.controller = new AbortController();
    this.done = (async () => {
      const response = await fetch(`${base}/admin/v1/activity${query ? `?${query}` : ''}`, {
        headers: { Authorization: `Bearer ${token}` },
        signal: this.controller.signal,
      });
      if (response.status !== 200) throw new Error(`activity feed: ${response.status} ${await response.text()}`);
      await readFrames(response.body, (frame) => {
        const data = frameData(frame);
        if (data) this.items.push(data);
      });
    })().catch((e) => {
      if (e.name !== 'AbortError') this.error = e;
    });
  }

  // The next item (of `type`, when given) after the last one returned.
  async next(type, ms = 5000) {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.error) throw this.error;
      while (this.cursor < this.items.length) {
        const item = this.items[this.cursor++];
        if (!type || item.type === type) return item;
      }
      if (Date.now() > deadline) throw new Error(`no '${type ?? 'any'}' activity within ${ms} ms; saw ${JSON.stringify(this.items.map((i) => i.type))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close() {
    this.controller.abort();
  }
}

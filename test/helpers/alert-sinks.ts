// Reads what test/fixtures/alert-sinks recorded: every channel's message turned into the same
// notice (channel, firing or resolved, alert name, service, text), so the alert-flow test can
// say "exactly one message per channel per alert" for all four channels alike.

export const CHANNELS = ['webhook', 'slack', 'telegram', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Notice {
  channel: Channel;
  status: 'firing' | 'resolved';
  alertname: string;
  service: string;
  /** What a person reads: the message text (for the webhook, its alerts' annotations). */
  text: string;
}

interface SinkMessage {
  channel: Channel;
  body: Record<string, unknown>;
}

/** `[FIRING] ContainerNotRunning on memory-api`: the title galaxy.tmpl gives every channel. */
const TITLE = /^\[(FIRING|RESOLVED)\] (\S+)(?: on (\S+))?/;

function fromTitle(channel: Channel, title: string, text: string): Notice | undefined {
  const m = TITLE.exec(title.trim());
  if (!m) return undefined;
  return { channel, status: m[1].toLowerCase() as Notice['status'], alertname: m[2], service: m[3] ?? '', text };
}

export function toNotice(message: SinkMessage): Notice | undefined {
  const body = message.body;
  switch (message.channel) {
    case 'webhook': {
      const labels = (body.commonLabels ?? {}) as Record<string, string>;
      const alerts = (body.alerts ?? []) as Array<{ annotations: Record<string, string> }>;
      const text = alerts.map((a) => `${a.annotations.summary}\nrunbook: ${a.annotations.runbook}`).join('\n');
      return { channel: 'webhook', status: body.status as Notice['status'], alertname: labels.alertname, service: labels.service ?? '', text };
    }
    case 'slack': {
      const [first] = (body.attachments ?? []) as Array<{ title: string; text: string }>;
      return first ? fromTitle('slack', first.title, first.text) : undefined;
    }
    case 'telegram': {
      const text = String(body.text ?? '');
      return fromTitle('telegram', text.split('\n')[0], text);
    }
    case 'email':
      return fromTitle('email', String(body.subject ?? ''), String(body.text ?? ''));
  }
}

/** Every notice the sinks recorded, oldest first (a message no channel format explains is an error). */
export async function receivedNotices(sinksUrl: string): Promise<Notice[]> {
  const res = await fetch(`${sinksUrl}/received`, { signal: AbortSignal.timeout(5_000) });
  const { messages } = (await res.json()) as { messages: SinkMessage[] };
  return messages.map((m) => {
    const notice = toNotice(m);
    if (!notice) throw new Error(`the ${m.channel} sink received a message in no known shape: ${JSON.stringify(m.body).slice(0, 300)}`);
    return notice;
  });
}

/** Per channel, the alert names of `service`'s notices in `status`, in the order received. */
export function alertNamesByChannel(notices: Notice[], service: string, status: Notice['status']): Record<Channel, string[]> {
  const out = Object.fromEntries(CHANNELS.map((c) => [c, [] as string[]])) as Record<Channel, string[]>;
  for (const n of notices) if (n.service === service && n.status === status) out[n.channel].push(n.alertname);
  return out;
}

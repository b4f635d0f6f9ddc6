import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  /** MAIL FROM and RCPT TO, as the client sent them. */
  from: string;
  to: string[];
  /** The message as it arrived (headers and body). */
  raw: Buffer;
  /** The user the session logged in as. */
  user: string | undefined;
}

export interface TestSmtpServer {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** Logins refused because the credentials were wrong. */
  refusedLogins: string[];
  /** Decides each RCPT TO: return an SMTP error (code + text) to refuse the recipient, or null to take it. */
  onRecipient: (address: string) => { code: number; text: string } | null;
  close(): Promise<void>;
}

/**
 * A real SMTP server (the smtp-server package) on 127.0.0.1 at a free port,
 * with AUTH PLAIN/LOGIN that checks `user` / `pass`. STARTTLS is turned off
 * and plain-text login allowed: it listens on the loopback only.
 */
export async function startSmtpServer(user: string, pass: string): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const refusedLogins: string[] = [];
  const state: TestSmtpServer = {
    url: '', port: 0, received, refusedLogins, onRecipient: () => null, close: async () => {},
  };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === pass) return callback(null, { user: auth.username });
      refusedLogins.push(auth.username ?? '');
      const error = Object.assign(new Error('Invalid username or password'), { responseCode: 535 });
      return callback(error);
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback) {
      const refusal = state.onRecipient(address.address);
      if (!refusal) return callback();
      callback(Object.assign(new Error(refusal.text), { responseCode: refusal.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          user: session.user as string | undefined,
        });
        callback(null);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  state.port = port;
  state.url = `smtp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** The part of ding-dong 0.1.7 (no types of its own) that bench/peers/ding-dong-peer.ts uses; see its API.md. */
declare module 'ding-dong' {
  import type { EventEmitter } from 'node:events';
  import type { Server } from 'node:net';

  interface AgiResponse {
    code: number;
    result: string;
    value?: string;
  }

  interface Context extends EventEmitter {
    /** `agi_*` keys as sent, values trimmed. */
    variables: Record<string, string>;
    onEvent(event: 'variables'): Promise<Record<string, string>>;
    onEvent(event: 'close' | 'hangup'): Promise<unknown>;
    setVariable(name: string, value: string): Promise<AgiResponse>;
    end(): Promise<void>;
  }

  interface AgiServer {
    start(port?: number, host?: string): Server;
  }

  const AGIServer: {
    new (
      handler: (context: Context) => void,
      options?: { port?: number; debug?: boolean; logger?: unknown; host?: string },
    ): AgiServer;
    (
      handler: (context: Context) => void,
      options?: { port?: number; debug?: boolean; logger?: unknown; host?: string },
    ): AgiServer;
  };
  export default AGIServer;
  export type { AgiResponse, Context };
}

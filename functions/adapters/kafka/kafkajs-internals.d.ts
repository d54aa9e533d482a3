// Types for the few kafkajs 2.2.4 internals kafka-wire.ts uses (kafkajs ships no types for them).
// Only what is called is declared; the shapes were read from kafkajs's own source (src/cluster,
// src/broker, src/network/connection.js).

declare module 'kafkajs/src/cluster/index.js' {
  export interface InternalRequest {
    readonly apiKey: number;
    readonly apiName: string;
    readonly apiVersion: number;
  }
  export interface InternalResponse {
    decode(raw: Buffer): Promise<unknown>;
    parse(decoded: unknown): Promise<unknown>;
  }
  export interface InternalProtocol {
    readonly request: InternalRequest;
    readonly response: InternalResponse;
  }
  export interface InternalConnection {
    isConnected(): boolean;
    connect(): Promise<unknown>;
  }
  export interface InternalBroker {
    readonly nodeId: number | string | null;
    lookupRequest(apiKey: number, definition: unknown): (args: Record<string, unknown>) => InternalProtocol;
    readonly connectionPool: {
      /** [0] for every request but Fetch, [1] for Fetch (kafkajs's split). */
      readonly pool: readonly InternalConnection[];
      send(protocol: InternalProtocol & { logResponseError?: boolean }): Promise<unknown>;
    };
  }
  export default class Cluster {
    constructor(options: Record<string, unknown>);
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    refreshMetadata(): Promise<void>;
    getNodeIds(): string[];
    findBroker(input: { nodeId: string | number }): Promise<InternalBroker>;
    findGroupCoordinator(input: { groupId: string }): Promise<InternalBroker>;
  }
}

declare module 'kafkajs/src/instrumentation/emitter.js' {
  export default class InstrumentationEventEmitter {
    addListener(eventName: string, listener: (event: { payload: { apiName: string; broker: string } }) => void): () => void;
  }
}

declare module 'kafkajs/src/loggers/index.js' {
  const loggers: {
    LEVELS: { NOTHING: number };
    createLogger(input: { level: number; logCreator: unknown }): unknown;
  };
  export default loggers;
}

declare module 'kafkajs/src/loggers/console.js' {
  const logCreator: unknown;
  export default logCreator;
}

declare module 'kafkajs/src/network/socketFactory.js' {
  const socketFactory: () => unknown;
  export default socketFactory;
}

declare module 'kafkajs/src/protocol/requests/index.js' {
  const index: { requests: Record<string, unknown> };
  export default index;
}

declare module 'kafkajs/src/protocol/requests/apiKeys.js' {
  const apiKeys: Record<string, number>;
  export default apiKeys;
}

declare module 'kafkajs/src/protocol/error.js' {
  const error: { errorCodes: readonly { type: string; code: number; message: string }[] };
  export default error;
}

// Values test/support/kafka-setup.ts provides to the `kafka` test project (read with `inject(...)`).
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** HOST:PORT of the shared broker's PLAINTEXT listener. */
    kafkaBootstrap: string;
    /** HOST:PORT of the shared broker's SASL_PLAINTEXT listener (SCRAM-SHA-256/512). */
    kafkaScramBootstrap: string;
    kafkaScramUsername: string;
    kafkaScramPassword: string;
    /** Kafka version of the broker (3.9.1 by default, LAGWATCH_KAFKA_VERSION to change). */
    kafkaVersion: string;
    /** Folder of the cached broker + kafka-tools jars (for ConsumerGroupCommand and private brokers). */
    kafkaLibsDir: string;
    /** Cache folder the harness used (pass to startKafkaBroker for a private broker). */
    kafkaCacheDir: string;
  }
}

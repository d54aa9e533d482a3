// The Lambda events the handlers receive, as AWS delivers them: a table-stream run record (keys
// only) and SNS records for the Slack forwarder.
import type { DynamoDBRecord, SNSEvent } from 'aws-lambda';
import { keys, TABLE } from '../../functions/adapters/dynamodb/table.js';
import { WHOLE_CLUSTER, type Shard } from '../../functions/core/shard.js';

/** A run record landing on the table stream (StreamViewType KEYS_ONLY), of one shard when given. */
export function runRecord(cluster: string, timestamp: number, sequenceNumber = '1', shard: Shard = WHOLE_CLUSTER): DynamoDBRecord {
  return runRecordWithKey(keys.runPk(cluster, shard), timestamp, sequenceNumber);
}

/** The same stream record under any partition key (the handler must read it, or refuse it). */
export function runRecordWithKey(pk: string, timestamp: number, sequenceNumber = '1'): DynamoDBRecord {
  return {
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { [TABLE.partitionKey]: { S: pk }, [TABLE.sortKey]: { S: keys.runSk(timestamp) } },
      SequenceNumber: sequenceNumber,
      StreamViewType: 'KEYS_ONLY',
    },
  };
}

/** What SNS hands a Lambda subscriber: one record per message, ids m-0, m-1, ... unless given. */
export function snsEvent(
  messages: readonly { subject: string; message: string; messageId?: string }[],
  topicArn = 'arn:aws:sns:us-east-1:123456789012:alerts',
): SNSEvent {
  return {
    Records: messages.map((m, i) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: `${topicArn}:sub`,
      Sns: {
        Type: 'Notification',
        MessageId: m.messageId ?? `m-${i}`,
        TopicArn: topicArn,
        Subject: m.subject,
        Message: m.message,
        Timestamp: new Date(0).toISOString(),
        SignatureVersion: '2',
        Signature: '',
        SigningCertUrl: '',
        UnsubscribeUrl: '',
        MessageAttributes: {},
      },
    })),
  };
}

// SDK clients pointed at moto (or at a fault proxy in front of it): region us-east-1, dummy keys.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { createTable } from '../../functions/adapters/dynamodb/table.js';

export function clientConfig(endpoint: string, extra: { maxAttempts?: number } = {}) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    ...extra,
  };
}

export function awsClients(endpoint: string, extra: { maxAttempts?: number } = {}) {
  const dynamodb = new DynamoDBClient(clientConfig(endpoint, extra));
  return {
    dynamodb,
    doc: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    sns: new SNSClient(clientConfig(endpoint, extra)),
    cloudwatch: new CloudWatchClient(clientConfig(endpoint, extra)),
    secrets: new SecretsManagerClient(clientConfig(endpoint, extra)),
  };
}

/** A fresh table per test file (moto keeps state for the whole run). */
export async function freshTable(dynamodb: DynamoDBClient): Promise<string> {
  const name = `lagwatch-${randomUUID().slice(0, 8)}`;
  await createTable(dynamodb, name);
  return name;
}

// The single lagwatch table (snapshots, run records, alert state). Key names and the TTL attribute
// come from the store's own definition (functions/adapters/dynamodb/table.ts), so CDK, the tests
// and the adapter cannot drift apart.
//
// Encryption: AWS-managed key (aws/dynamodb). The table holds offsets, group and topic names — no
// message payloads — so a customer-managed key would add $1/month per key and a key policy to
// maintain for no change in who can read the data (IAM on the table already decides that); the
// AWS-managed key still encrypts at rest and logs every use in CloudTrail. Switch to
// TableEncryption.CUSTOMER_MANAGED here if your policy demands a key you control.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE } from '../../functions/adapters/dynamodb/table.js';

export class SnapshotTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // The evaluator is triggered by run records arriving on the stream (see evaluator.ts).
      stream: dynamodb.StreamViewType.KEYS_ONLY,
      // Alert state lives here too: keep the table when the stack is deleted by mistake.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

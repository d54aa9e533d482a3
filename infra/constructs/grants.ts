// Grants scoped to the ARNs in the config, never to `*`.
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MSK_CLUSTER_ARN } from '../../functions/config/app-config.js';
import { METRICS_NAMESPACE } from '../../functions/core/metrics.js';

/** Read one Secrets Manager secret given as a complete or partial ARN (a partial one gets the
 * random 6-character suffix Secrets Manager appends). */
export function grantSecretRead(grantee: iam.IGrantable, secretArn: string, keyArns: readonly string[] = []): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resources: [secretArn, `${secretArn}-??????`],
    }),
  );
  if (keyArns.length === 0) return;
  // Secrets encrypted with a customer-managed key (MSK SCRAM secrets must be): decrypt through
  // Secrets Manager only.
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [...keyArns],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
    }),
  );
}

/** The topic and group ARN patterns of one MSK cluster (arn:...:cluster/NAME/UUID → topic/NAME/UUID/*). */
export function mskResourceArns(clusterArn: string): { cluster: string; topics: string; groups: string } {
  const match = MSK_CLUSTER_ARN.exec(clusterArn);
  if (!match) throw new Error(`not an MSK cluster ARN: ${clusterArn}`);
  const [, partition, region, account, name, uuid] = match;
  const base = `arn:${partition}:kafka:${region}:${account}`;
  return {
    cluster: clusterArn,
    topics: `${base}:topic/${name}/${uuid}/*`,
    groups: `${base}:group/${name}/${uuid}/*`,
  };
}

/** The read-only MSK IAM actions the collector needs: connect, metadata, offsets. */
export function grantMskRead(grantee: iam.IGrantable, clusterArn: string): void {
  const arns = mskResourceArns(clusterArn);
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
      resources: [arns.cluster],
    }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeTopic'], resources: [arns.topics] }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeGroup'], resources: [arns.groups] }),
  );
}

/** PutMetricData into lagwatch's namespace only: the call has no resource ARN, so the namespace
 * condition is what scopes it. */
export function grantPutMetrics(grantee: iam.IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
    }),
  );
}
